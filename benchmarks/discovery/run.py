"""Discovery benchmark: similar papers against the relevance judgments, and suggestion latency.

    python benchmarks/discovery/run.py            # build the corpus index, print the tables
    python benchmarks/discovery/run.py --reuse    # reuse the index built last time
    python benchmarks/discovery/run.py --write    # also rewrite its section of RESULTS.md

Similar papers: for each topical query of the relevance benchmark (Korean, English,
loanword, mixed), the papers judged what the query asks for (grade 2) are about
one topic. For each such paper, its 10 nearest neighbours by ``PaperIndex.similar``
should hold the others. Reported: pair recall (the share of same-topic pairs in
each other's top 10) and hit rate (papers with at least one same-topic neighbour
in their top 10), against a title-only baseline (``similar(by="title")``) in the
same run. The judgments are pooled from search results, not from neighbours, so
unjudged neighbours count as misses for both.

Suggestions: every keystroke of every word of the benchmark's queries, as an IME
shows it (``ㄱ``, ``가``, ``강``, ``강ㅎ``, ``강화`` ...), sent to ``PaperIndex.suggest``;
p50/p95/max latency, warm, and the first call (which reads the vocabulary). The
baseline is plain Whoosh: ``expand_prefix`` over the summary field's terms ranked
by document frequency, on the same keystrokes. Also: what did-you-mean and facets
add to a search.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_core import CORPUS, QUERIES, machine, percentile  # noqa: E402
from results import replace_section  # noqa: E402

# The relevance benchmark's loaders (its module is also named run.py: load it by path).
_spec = importlib.util.spec_from_file_location("relevance_run", ROOT / "benchmarks" / "relevance"
                                               / "run.py")
assert _spec is not None and _spec.loader is not None
relevance = sys.modules["relevance_run"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(relevance)
load_qrels, load_queries = relevance.load_qrels, relevance.load_queries

from papersearch import PaperIndex  # noqa: E402
from papersearch.analysis.hangul import compose, decompose  # noqa: E402

TOPICAL = ("korean", "english", "loanword", "mixed")
NEIGHBOURS = 10
TYPOS = ["트랜스포며", "강화학즙", "difusion models", "tranformer 기반 언어모델", "트랜스 포머",
         "멀티모덜 벤치마크", "retreival augmented generation", "비디오 생송", "qunatization",
         "가우시안 스플래팅 3차원 복언"]


def topics() -> list[tuple[str, list[str]]]:
    """(query id, the papers judged what it asks for) for topical queries with two or more."""
    qrels = load_qrels()
    out = []
    for q in load_queries():
        relevant = sorted(d for d, g in qrels.get(q.qid, {}).items() if g == 2)
        if q.type in TOPICAL and len(relevant) >= 2:
            out.append((q.qid, relevant))
    return out


def similar_check(index: PaperIndex, by: str) -> dict[str, Any]:
    pairs = found = papers = hits = 0
    times: list[float] = []
    for _, relevant in topics():
        group = set(relevant)
        for paper in relevant:
            start = time.perf_counter()
            result = index.similar(paper, NEIGHBOURS, by=by)  # type: ignore[arg-type]
            neighbours = {h.arxiv_id for h in result}
            times.append(time.perf_counter() - start)
            others = group - {paper}
            reachable = min(len(others), NEIGHBOURS)
            pairs += reachable
            found += min(len(neighbours & others), reachable)
            papers += 1
            hits += bool(neighbours & others)
    return {"by": by, "papers": papers, "pair_recall": found / pairs, "hit_rate": hits / papers,
            "p50": percentile(times, 50) * 1000, "p95": percentile(times, 95) * 1000}


def keystrokes(texts: list[str]) -> list[str]:
    """What a search box holds after each keystroke of each word, IME composition included."""
    out: list[str] = []
    for text in texts:
        for word in text.split():
            jamo = decompose(unicodedata.normalize("NFC", word))
            for end in range(1, len(jamo) + 1):
                out.append(compose(jamo[:end]))
    return list(dict.fromkeys(out))


def typed_queries(texts: list[str]) -> list[str]:
    """What a search box holds after each keystroke of the words after the first, with the
    words before them: ``LLM 환``, where suggestions are ranked by the words before."""
    out: list[str] = []
    for text in texts:
        words = text.split()
        for i in range(1, len(words)):
            head = " ".join(words[:i])
            jamo = decompose(unicodedata.normalize("NFC", words[i]))
            out += [f"{head} {compose(jamo[:end])}" for end in range(1, len(jamo) + 1)]
    return list(dict.fromkeys(out))


def timed(fn: Any, items: list[str]) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return times


def whoosh_prefix(reader: Any, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
    """Plain Whoosh: index terms of the summary field starting with ``prefix``, by doc frequency."""
    terms = [(t.decode("utf-8") if isinstance(t, bytes) else t)
             for t in reader.expand_prefix("summary", prefix.lower())]
    ranked = sorted(((t, reader.doc_frequency("summary", t)) for t in terms),
                    key=lambda item: -item[1])
    return ranked[:limit]


def suggest_check(index_dir: Path) -> dict[str, Any]:
    texts = [q.text for q in load_queries()] + QUERIES
    strokes = keystrokes(texts)
    with PaperIndex.open(index_dir) as index:
        start = time.perf_counter()
        index.suggest("모")
        first = time.perf_counter() - start
        timed(lambda p: index.suggest(p, 10), strokes)
        ours = timed(lambda p: index.suggest(p, 10), strokes)  # second pass: warm
        after = typed_queries(texts)
        cold = timed(lambda p: index.suggest(p, 10), after)  # each head's papers read once
        warm_after = timed(lambda p: index.suggest(p, 10), after)
        with index.reading() as lease:
            reader = lease.searcher.reader()
            theirs = timed(lambda p: whoosh_prefix(reader, p), strokes)
            theirs = timed(lambda p: whoosh_prefix(reader, p), strokes)
        useful = sum(1 for p in strokes if index.suggest(p, 10))
        useful_whoosh = sum(1 for p in strokes if whoosh_prefix(reader, p))
    return {"strokes": len(strokes), "first_ms": first * 1000, "cold": cold,
            "after": len(after), "warm_after": warm_after,
            "ours": ours, "whoosh": theirs, "answered": useful, "answered_whoosh": useful_whoosh}


def search_costs(index_dir: Path) -> dict[str, Any]:
    """Search time with and without facets (everyday queries) and with and without
    did-you-mean (typo queries), warm, each the median of 3 rounds."""
    out: dict[str, Any] = {}
    with PaperIndex.open(index_dir) as index:
        for q in QUERIES + TYPOS:
            index.search(q)  # warm the caches and the vocabulary
        for name, queries, kwargs in [
            ("facets on", QUERIES, {}), ("facets off", QUERIES, {"facets": False}),
            ("did-you-mean on", TYPOS, {"facets": False}),
            ("did-you-mean off", TYPOS, {"facets": False, "did_you_mean": False}),
        ]:
            rounds = [timed(lambda q, kw=kwargs: index.search(q, **kw), queries)  # type: ignore[misc]
                      for _ in range(3)]
            per_query = [statistics.median(r[i] for r in rounds) for i in range(len(queries))]
            out[name] = (percentile(per_query, 50) * 1000, percentile(per_query, 95) * 1000)
        out["corrected"] = sum(1 for q in TYPOS if index.search(q).did_you_mean)
    return out


def report(similar: list[dict[str, Any]], suggest: dict[str, Any], costs: dict[str, Any],
           build_s: float | None) -> str:
    s = suggest
    lines = [
        "Command: `python benchmarks/discovery/run.py --write`"
        + (f" (corpus index built in {build_s:.1f} s)" if build_s is not None else
           " (`--reuse`: corpus index built by an earlier run)"),
        f"Machine: {machine()}",
        "",
        "### Similar papers, checked against the relevance judgments",
        "",
        f"{similar[0]['papers']} papers judged what a topical query asks for (grade 2; "
        f"{len(topics())} queries of types {', '.join(TOPICAL)} with two or more such papers). "
        f"For each, its {NEIGHBOURS} nearest neighbours: how many of the query's other grade-2 "
        "papers they hold.",
        "",
        "| neighbours by | pair recall@10 | hit rate@10 | similar() p50 | p95 |",
        "|---|---|---|---|---|",
    ]
    for row in similar:
        name = {"text": "title + summary + glossary (papersearch)",
                "title": "title only (baseline)"}[row["by"]]
        lines.append(f"| {name} | {row['pair_recall']:.3f} | {row['hit_rate']:.3f} | "
                     f"{row['p50']:.1f} ms | {row['p95']:.1f} ms |")
    lines += [
        "",
        "Pair recall: the share of same-topic pairs found in each other's top 10. Hit rate: "
        "papers with at least one same-topic paper in their top 10. The judgments were pooled "
        "from search results, so a relevant neighbour nobody judged counts as a miss for both.",
        "",
        "### Suggestions as you type",
        "",
        f"{s['strokes']} keystrokes: every prefix, jamo by jamo as an IME composes it, of every "
        "word of the relevance and performance benchmarks' queries. Warm (second pass).",
        "",
        "| | p50 | p95 | max | keystrokes answered |",
        "|---|---|---|---|---|",
        f"| `PaperIndex.suggest` (jamo-aware, surface words) | "
        f"{percentile(s['ours'], 50) * 1000:.3f} ms | {percentile(s['ours'], 95) * 1000:.3f} ms "
        f"| {max(s['ours']) * 1000:.2f} ms | {s['answered']} |",
        f"| after earlier words ({s['after']} keystrokes: `LLM 환`), first time each "
        f"run of earlier words is seen | "
        f"{percentile(s['cold'], 50) * 1000:.3f} ms | {percentile(s['cold'], 95) * 1000:.3f} ms "
        f"| {max(s['cold']) * 1000:.2f} ms | |",
        f"| after earlier words, warm | "
        f"{percentile(s['warm_after'], 50) * 1000:.3f} ms | "
        f"{percentile(s['warm_after'], 95) * 1000:.3f} ms "
        f"| {max(s['warm_after']) * 1000:.2f} ms | |",
        f"| plain Whoosh `expand_prefix` on summary terms, by doc frequency (baseline) | "
        f"{percentile(s['whoosh'], 50) * 1000:.3f} ms | "
        f"{percentile(s['whoosh'], 95) * 1000:.3f} ms | {max(s['whoosh']) * 1000:.2f} ms | "
        f"{s['answered_whoosh']} |",
        "",
        f"The first call after opening the index reads its vocabulary: {s['first_ms']:.0f} ms. "
        "The baseline answers fewer keystrokes: a half-composed syllable (`강ㅎ`, `강화핛`) is "
        "no prefix of any term, and its words are stems (`diffus`), not words to show.",
        "",
        "### What did-you-mean and facets add to a search (warm, median of 3 rounds)",
        "",
        "| | p50 | p95 |",
        "|---|---|---|",
    ]
    for name in ("facets on", "facets off", "did-you-mean on", "did-you-mean off"):
        p50, p95 = costs[name]
        lines.append(f"| {name} | {p50:.1f} ms | {p95:.1f} ms |")
    lines += [
        "",
        f"Facets: the {len(QUERIES)} queries of `bench_core.py`. Did-you-mean: {len(TYPOS)} "
        f"typo queries ({', '.join(f'`{t}`' for t in TYPOS)}), of which "
        f"{costs['corrected']} got a correction.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/papersearch-discovery"))
    parser.add_argument("--reuse", action="store_true", help="reuse the index built before")
    parser.add_argument("--write", action="store_true", help="rewrite RESULTS.md's section")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    index_dir = args.work / "index"
    build_s = None
    if not (args.reuse and index_dir.exists()):
        start = time.perf_counter()
        with PaperIndex.create(index_dir, overwrite=True) as index:
            index.add(CORPUS)
        build_s = time.perf_counter() - start
    with PaperIndex.open(index_dir) as index:
        similar = [similar_check(index, by) for by in ("text", "title")]
    text = report(similar, suggest_check(index_dir), search_costs(index_dir), build_s)
    print(text)
    if args.write:
        replace_section("Discovery: similar papers and suggestions", text)


if __name__ == "__main__":
    main()
