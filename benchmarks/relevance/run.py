"""Relevance benchmark: judged queries over the shared corpus, papersearch vs baselines.

    python benchmarks/relevance/run.py                 # build every system, print the table
    python benchmarks/relevance/run.py --reuse         # reuse the systems built last time
    python benchmarks/relevance/run.py --pool 10 > sheet.md   # unjudged results, to judge
    python benchmarks/relevance/run.py --tune          # also every tuning variant
    python benchmarks/relevance/run.py --write         # also update benchmarks/RESULTS.md

Queries are in ``queries.tsv`` (id, type, text), graded judgments in ``qrels.tsv``
(query id, arXiv id, grade 0/1/2). A result nobody judged counts as not relevant.
Metrics per query type and overall: nDCG@10 (gain 2^grade - 1), Recall@20 (of the
papers judged relevant, grade >= 1) and MRR (rank of the first relevant paper).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from systems import PaperSearch, System, build_baselines, papers_of  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from results import replace_section  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "daily_papers_ko" / "paper_logs"
TYPES = ("korean", "mixed", "english", "loanword", "author", "known-item")
DEPTH = 20


@dataclass(frozen=True)
class Query:
    qid: str
    type: str
    text: str


def load_queries(path: Path = HERE / "queries.tsv") -> list[Query]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, qtype, text = line.split("\t")
            out.append(Query(qid, qtype, text))
    return out


def load_qrels(path: Path = HERE / "qrels.tsv") -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                qid, arxiv_id, grade = line.split("\t")[:3]
                qrels[qid][arxiv_id] = int(grade)
    return qrels


# -- metrics ---------------------------------------------------------------------------------------

def ndcg(ranked: Sequence[str], judged: dict[str, int], k: int = 10) -> float:
    gains = [2 ** judged.get(d, 0) - 1 for d in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2 ** g - 1 for g in judged.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: Sequence[str], judged: dict[str, int], k: int = 20) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr(ranked: Sequence[str], judged: dict[str, int]) -> float:
    for i, d in enumerate(ranked[:DEPTH]):
        if judged.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


METRICS: dict[str, Callable[[Sequence[str], dict[str, int]], float]] = {
    "nDCG@10": ndcg, "R@20": recall, "MRR": mrr}


def evaluate(system: System, queries: list[Query], qrels: dict[str, dict[str, int]]
             ) -> dict[str, Any]:
    """Per-query runs and the mean of each metric per query type and overall."""
    runs: dict[str, list[str]] = {}
    per_query: dict[str, dict[str, float]] = {}
    start = time.perf_counter()
    for q in queries:
        runs[q.qid] = system.search(q.text, DEPTH)
        per_query[q.qid] = {m: fn(runs[q.qid], qrels.get(q.qid, {})) for m, fn in METRICS.items()}
    seconds = time.perf_counter() - start
    groups: dict[str, dict[str, float]] = {}
    for group in (*TYPES, "all"):
        members = [q.qid for q in queries if group in ("all", q.type)]
        if members:
            groups[group] = {m: sum(per_query[i][m] for i in members) / len(members)
                             for m in METRICS}
    return {"name": system.name, "runs": runs, "per_query": per_query, "groups": groups,
            "seconds": seconds}


# -- systems ---------------------------------------------------------------------------------------

def build_papersearch(work: Path, reuse: bool) -> Path:
    """papersearch's index of the corpus under ``work``; with ``reuse``, the one built
    before unless this papersearch cannot open it (another schema or lexicon)."""
    from papersearch import PaperIndex

    index_dir = work / "papersearch"
    if not (reuse and _opens(index_dir)):
        with PaperIndex.create(index_dir, overwrite=True) as index:
            index.add(CORPUS)
    return index_dir


def _opens(index_dir: Path) -> bool:
    """Whether this papersearch can open the index built before at ``index_dir`` (not one
    of another version, nor one a killed run left half built)."""
    from papersearch import IndexCorruptError, IndexNotFoundError, IndexVersionError, PaperIndex

    if not index_dir.exists():
        return False
    try:
        PaperIndex.open(index_dir).close()
    except (IndexVersionError, IndexNotFoundError, IndexCorruptError):
        return False
    return True


# Settings tried while tuning (each a change from the defaults); --tune prints them all,
# --pool judges their results too.
VARIANTS: dict[str, dict[str, Any]] = {
    "strict AND": {"match_ratio": 1.0},
    "match 60%": {"match_ratio": 0.6},
    "match 50%": {"match_ratio": 0.5},
    "coord power 2": {"coord_power": 2.0},
    "title 1.0": {"title_boost": 1.0},
    "title 2.0": {"title_boost": 2.0},
    "title 4.0": {"title_boost": 4.0},
    "no expansion": {"expansion_weight": 0.0},
    "expansion 0.3": {"expansion_weight": 0.3},
    "expansion 0.5": {"expansion_weight": 0.5},
    "expansion 0.8": {"expansion_weight": 0.8},
    "adjacency bonus": {"adjacency": True},
    "per-field BM25 (Whoosh)": {"bm25f": False},
    "variants 1.0": {"variant_weight": 1.0},
    "variants 0": {"variant_weight": 0.0},
    "no name phrases": {"name_weight": 0.0},
    "no title alignment": {"aligned": False},
    "mixed: translations added": {"mixed_tie": 1.0},
    "authors length 0.3": {"authors_b": 0.3, "authors_k1": 1.2},
    "authors tf counted": {"authors_k1": 1.2},
    "intent 0": {"intent_weight": 0.0},
    "intent 0.5": {"intent_weight": 0.5},
    "intent 1.0": {"intent_weight": 1.0},
    "descriptions: votes as usual": {"description_votes": 1.0},
    "descriptions: votes x2": {"description_votes": 2.0},
    "partial power 0": {"partial_power": 0.0},
    "partial power 2": {"partial_power": 2.0},
    "authors 3.0": {"authors_boost": 3.0},
    "k1 0.9": {"k1": 0.9},
    "k1 1.6": {"k1": 1.6},
    "b 0.5": {"b": 0.5},
    "b 0.9": {"b": 0.9},
}
VOTE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)


def analysis_variants() -> dict[str, Any]:
    """Alternative analysis chains, each needing its own index (built in-process)."""
    from papersearch.analysis import DEFAULT_STOP_TAGS, text_analyzer

    particles = {t for t in DEFAULT_STOP_TAGS if t.startswith(("J", "E"))}
    return {
        "no loanword lexicon": lambda: text_analyzer(loanwords=False),
        "words read in context only": lambda: text_analyzer(alone=False),
        "prefixes apart": lambda: text_analyzer(prefixes=False),
        "compounds kept whole": lambda: text_analyzer(compounds=False),
        "verb stems dropped": lambda: text_analyzer(stoptags=DEFAULT_STOP_TAGS | {"VV", "VA"}),
        "particles kept": lambda: text_analyzer(stoptags=DEFAULT_STOP_TAGS - particles),
    }


def build_analysis_variant(work: Path, name: str, make: Any, reuse: bool) -> System:
    """papersearch over an index whose text fields use another analysis chain."""
    from papersearch import PaperIndex

    index_dir = work / ("analysis-" + name.replace(" ", "-"))
    if not (reuse and _opens(index_dir)):
        with PaperIndex.create(index_dir, overwrite=True, analyzer=make()) as index:
            index.add(CORPUS)
    return PaperSearch(index_dir, name=name)


def variant(index_dir: Path, name: str, **changes: Any) -> System:
    from papersearch.search.ranking import DEFAULT_RANKING

    return PaperSearch(index_dir, name=name, ranking=replace(DEFAULT_RANKING, **changes))


class Recorded:
    """A system whose result lists were computed elsewhere (another checkout's papersearch)."""

    def __init__(self, name: str, runs: dict[str, list[str]]) -> None:
        self.name = name
        self.runs = runs

    def search(self, query: str, limit: int) -> list[str]:
        return self.runs[query][:limit]


def other_checkout(checkout: Path, work: Path, reuse: bool) -> System:
    """papersearch as another checkout has it (``--compare``: the code before a change),
    built and searched in a child process that imports that checkout's package."""
    import os
    import subprocess

    commit = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    index_dir = work / f"checkout-{commit or checkout.name}"
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve())}
    child = subprocess.run(
        [sys.executable, __file__, "--child-runs", str(index_dir), *(["--reuse"] if reuse else [])],
        capture_output=True, text=True, env=env, check=True)
    return Recorded(f"papersearch @ {commit}", json.loads(child.stdout))


def child_runs(index_dir: Path, reuse: bool) -> None:
    """(In the child of ``other_checkout``) print every query's result list as JSON."""
    from papersearch import PaperIndex

    if not (reuse and index_dir.exists()):
        with PaperIndex.create(index_dir, overwrite=True) as index:
            index.add(CORPUS)
    system = PaperSearch(index_dir)
    print(json.dumps({q.text: system.search(q.text, DEPTH) for q in load_queries()}))


def systems(work: Path, reuse: bool) -> list[System]:
    work.mkdir(parents=True, exist_ok=True)
    ours = PaperSearch(build_papersearch(work, reuse))
    return [ours, *build_baselines(work, CORPUS, reuse)]


# -- output ----------------------------------------------------------------------------------------

def table(results: list[dict[str, Any]], queries: list[Query]) -> str:
    counts = {t: sum(q.type == t for q in queries) for t in TYPES}
    head = ["system"] + [f"{t} ({counts[t]})" for t in TYPES if counts[t]] + \
        [f"all ({len(queries)})", "R@20 all", "MRR all"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        g = r["groups"]
        cells = [r["name"]] + [f"{g[t]['nDCG@10']:.3f}" for t in TYPES if counts[t]]
        cells += [f"**{g['all']['nDCG@10']:.3f}**", f"{g['all']['R@20']:.3f}",
                  f"{g['all']['MRR']:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict(results: list[dict[str, Any]]) -> str:
    """papersearch (first) against the best baseline, overall and per query type."""
    ours = results[0]
    baselines = [r for r in results[1:] if not r["name"].startswith("papersearch")]
    best = max(baselines, key=lambda r: r["groups"]["all"]["nDCG@10"])
    lead = ours["groups"]["all"]["nDCG@10"] - best["groups"]["all"]["nDCG@10"]
    behind = [t for t in TYPES if t in ours["groups"] and any(
        r["groups"][t]["nDCG@10"] >= ours["groups"][t]["nDCG@10"] for r in baselines)]
    plain = next((r for r in baselines if r["name"] == "mecab-bm25"), best)
    margins = ", ".join(
        f"{t} {ours['groups'][t]['nDCG@10'] - plain['groups'][t]['nDCG@10']:+.3f}"
        for t in TYPES if t in ours["groups"])
    return (f"papersearch leads the best baseline overall ({best['name']}) by {lead:+.3f} "
            f"nDCG@10; " + ("it is ahead of every baseline on every query type."
                            if not behind else f"it is not ahead on: {', '.join(behind)}.")
            + f" Against {plain['name']}, per query type: {margins}.")


def type_table(results: list[dict[str, Any]], metric: str) -> str:
    head = ["system", *TYPES, "all"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        lines.append("| " + " | ".join([r["name"]] + [
            f"{r['groups'][t][metric]:.3f}" if t in r["groups"] else "-" for t in head[1:]])
            + " |")
    return "\n".join(lines)


def pool(results: list[dict[str, Any]], queries: list[Query],
         qrels: dict[str, dict[str, int]], depth: int) -> dict[str, list[str]]:
    """Per query, the unjudged papers in the top ``depth`` of any system, by arXiv id."""
    out: dict[str, list[str]] = {}
    for q in queries:
        found = {d for r in results for d in r["runs"][q.qid][:depth]}
        unjudged = sorted(found - set(qrels.get(q.qid, {})))
        if unjudged:
            out[q.qid] = unjudged
    return out


def pool_sheet(results: list[dict[str, Any]], queries: list[Query],
               qrels: dict[str, dict[str, int]], depth: int) -> str:
    """Unjudged papers in the top ``depth`` of any system, with their text, to judge.

    Papers are listed by arXiv id, not by system or rank, so the sheet does not say
    which system found a paper or how high it ranked it.
    """
    papers = {p["id"]: p for p in papers_of(CORPUS)}
    out = []
    for q in queries:
        unjudged = pool(results, [q], qrels, depth).get(q.qid)
        if not unjudged:
            continue
        out.append(f"\n## {q.qid} [{q.type}] {q.text}")
        for d in unjudged:
            p = papers[d]
            summary = re.sub(r"\s+", " ", p["summary"])
            authors = ", ".join(p["authors"].split("\n")[:6])
            out.append(f"{q.qid}\t{d}\t? | {p['title'].splitlines()[0]} | {authors} | "
                       f"{summary}")
    return "\n".join(out)


def glossary_report(index_dir: Path, sample: int = 50) -> str:
    """The glossary's size and a fixed random sample of the pairs queries use, with verdicts.

    Verdicts (judged by hand: do both sides name the same concept?) are read from
    ``glossary_check.tsv``; a sampled pair without one is listed as unjudged.
    """

    from papersearch import PaperIndex

    with PaperIndex.open(index_dir) as index, index.reading() as lease:
        return _glossary_report(index.glossary(lease), lease.searcher.reader(), sample)


def _glossary_report(lookup: Any, reader: Any, sample: int) -> str:
    import random
    keys = [k.decode("utf-8") if isinstance(k, bytes) else k
            for k in reader.lexicon("glossary")]
    mined = {k for k in keys if k.startswith("ko:")}
    sources = sorted({tuple(k[3:].split("|", 1)[0].split(" ")) for k in mined})
    used = [(src, tr) for src in sources for tr in lookup.translations(src)
            if (src, tr) not in {(ko, en) for ko, ens in lookup.loanwords.table.items()
                                 for en in ens}]
    verdicts: dict[tuple[str, str], str] = {}
    check = HERE / "glossary_check.tsv"
    if check.exists():
        for line in check.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                ko, en, verdict = line.split("\t")[:3]
                verdicts[(ko, en)] = verdict
    picked = random.Random(2026).sample(used, min(sample, len(used)))
    lines = [f"Mined pairs in the index: {len(mined):,} (Korean to English, each also "
             f"stored the other way); used by queries (>= 2 papers, dominance, share): "
             f"{len(used):,} pairs for {len({s for s, _ in used}):,} Korean entries; "
             f"curated loanwords: {len(lookup.loanwords.table) // 2:,} pairs.", "",
             "| Korean (analyzed) | English (analyzed) | verdict |", "|---|---|---|"]
    right = judged = 0
    for ko, en in picked:
        verdict = verdicts.get((" ".join(ko), " ".join(en)), "unjudged")
        judged += verdict in {"right", "wrong"}
        right += verdict == "right"
        lines.append(f"| {' '.join(ko)} | {' '.join(en)} | {verdict} |")
    lines += ["", f"Precision on the sample: {right}/{judged} judged right"
              + (f" ({right / judged:.0%})" if judged else "")]
    return "\n".join(lines)


def machine() -> str:
    import os
    from importlib import metadata

    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"whoosh-reloaded {metadata.version('whoosh-reloaded')}, "
            f"SQLite {__import__('sqlite3').sqlite_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/papersearch-relevance"),
                        help="where the systems' indexes are built")
    parser.add_argument("--reuse", action="store_true", help="reuse indexes built before")
    parser.add_argument("--pool", type=int, default=0,
                        help="print the unjudged top-N of every system instead of metrics")
    parser.add_argument("--tune", action="store_true",
                        help="also evaluate every tuning variant of papersearch")
    parser.add_argument("--analysis", action="store_true",
                        help="also build and evaluate indexes with other analysis chains")
    parser.add_argument("--glossary", action="store_true",
                        help="print the glossary's size and its checked sample, and stop")
    parser.add_argument("--json", type=Path, help="also write per-query results here")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also evaluate papersearch as this checkout has it (a git worktree "
                             "of an earlier commit), next to this one")
    parser.add_argument("--child-runs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_runs:
        child_runs(args.child_runs, args.reuse)
        return
    if not CORPUS.exists():
        sys.exit(f"shared corpus not found at {CORPUS}")
    queries, qrels = load_queries(), load_qrels()
    if args.glossary:
        print(glossary_report(build_papersearch(args.work, args.reuse)))
        return
    compared = [other_checkout(args.compare, args.work, args.reuse)] if args.compare else []
    results = [evaluate(s, queries, qrels) for s in systems(args.work, args.reuse)]
    results[1:1] = [evaluate(s, queries, qrels) for s in compared]
    index_dir = args.work / "papersearch"
    tuned = [evaluate(variant(index_dir, name, **changes), queries, qrels)
             for name, changes in VARIANTS.items()] if args.pool or args.tune else []
    if args.analysis:
        tuned += [evaluate(build_analysis_variant(args.work, name, make, args.reuse), queries,
                           qrels) for name, make in analysis_variants().items()]
    if args.pool:
        print(pool_sheet(results + tuned, queries, qrels, args.pool))
        return
    curve = [evaluate(variant(index_dir, f"vote weight {w}", vote_weight=w), queries, qrels)
             for w in VOTE_WEIGHTS]
    judged = sum(len(v) for v in qrels.values())
    report = [f"Machine: {machine()}",
              f"{len(queries)} queries, {judged} judgments, depth {DEPTH}", "",
              "nDCG@10 per query type:", "", table(results, queries), "", verdict(results), ""]
    for metric in ("R@20", "MRR"):
        report += [f"{metric} per query type:", "", type_table(results, metric), ""]
    report += ["Vote weight (papersearch, nDCG@10; 0 = text score alone):", "",
               type_table(curve, "nDCG@10"), ""]
    report += ["Glossary:", "", glossary_report(args.work / "papersearch"), ""]
    if tuned:
        report += ["Tuning: papersearch with one setting changed (nDCG@10):", "",
                   type_table([results[0], *tuned], "nDCG@10"), ""]
    print("\n".join(report))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.write:
        # a checkout's folder is this machine's: the command shows its role
        shown = ["CHECKOUT" if args.compare and a == str(args.compare) else a for a in sys.argv[1:]]
        command = " ".join(["python benchmarks/relevance/run.py", *shown])
        replace_section("Relevance", "\n".join([
            f"`{command}` ({time.strftime('%Y-%m-%d')})", "",
            f"{len(queries)} queries written for the benchmark (Korean, mixed, English, "
            "loanword, author, known-item), graded 0/1/2 by reading the pooled results (see "
            "`benchmarks/relevance/README.md`). The two MeCab BM25 rows are the strongest "
            "simple competitor: plain BM25 (bm25s) over MeCab morphemes of the whole paper, "
            "words ORed. The other baselines search title, summary and authors with "
            "papersearch's field weights and an AND-then-OR fallback. The tuning table "
            "changes one papersearch setting at a time; the analysis rows are indexes built "
            "with another analysis chain.", "", *report]))


if __name__ == "__main__":
    main()
