"""Reliability: concurrent readers and writers, damaged indexes, hostile queries and digests."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as windex

from papersearch import DigestError, IndexCorruptError, PaperIndex, QueryError, parse_digest
from papersearch.cli import main
from papersearch.models import DigestEntry

from helpers import SEEDS, segment_files, synthetic_days

ROOT = Path(__file__).resolve().parent.parent


# -- concurrency -------------------------------------------------------------------------------

WRITER = """
import sys
from papersearch import PaperIndex
index = PaperIndex.open(sys.argv[1], lock_timeout=60)
for path in sys.argv[2:]:
    index.add(path)          # one commit per day, as a daily cron job would
print("done", flush=True)
"""


def test_threads_search_while_another_process_adds(tmp_path: Path) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    index.add(SEEDS)
    days = synthetic_days(24, tmp_path / "days")
    base_total = index.search("모델", limit=1).total
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "ix"),
                               *map(str, days)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    failures: list[str] = []
    searches = [0]

    def reader() -> None:
        last = base_total
        while writer.poll() is None:
            try:
                result = index.search("모델", limit=20)
                hits = list(result)
                paper = index.get(hits[0].arxiv_id) if hits else None
            except Exception as exc:  # any exception in a reader is a failure
                failures.append(repr(exc))
                return
            searches[0] += 1
            if result.total < last:
                failures.append(f"total went back from {last} to {result.total}")
            last = result.total
            if paper is None or paper.title != hits[0].title:
                failures.append(f"hit {hits[0].arxiv_id if hits else None} not readable")
            if any(not h.title or not h.dates for h in hits):
                failures.append("torn hit")

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    out, _ = writer.communicate(timeout=300)
    for thread in threads:
        thread.join()
    assert writer.returncode == 0 and "done" in out
    assert failures == []
    assert searches[0] >= 8
    # After the last commit every reader sees every new day.
    assert index.stats().papers == 29 + sum(len(parse_digest(d).entries) for d in days)
    assert index.search("모델", limit=1).total > base_total


def test_second_writer_process_waits_for_the_lock(tmp_path: Path) -> None:
    index = PaperIndex.create(tmp_path / "ix", lock_timeout=30)
    [day] = synthetic_days(1, tmp_path / "days")
    holder = windex.open_dir(str(tmp_path / "ix")).writer()  # another writer
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "ix"), str(day)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    time.sleep(1.0)
    assert writer.poll() is None  # still waiting for the lock
    holder.cancel()
    out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0 and "done" in out
    assert index.stats().papers == len(parse_digest(day).entries)


# -- damaged indexes ----------------------------------------------------------------------------

def _damaged(tmp_path: Path, how: str) -> Path:
    """An index of the seeds with its segment files (all, or one kind) truncated or deleted."""
    path = tmp_path / "ix"
    PaperIndex.create(path).add(SEEDS)
    action, _, kind = how.partition(" ")
    for segment in segment_files(path, kind):
        if action == "truncate":
            segment.write_bytes(segment.read_bytes()[: len(segment.read_bytes()) // 2])
        else:
            segment.unlink()
    return path


@pytest.mark.parametrize("how", ["truncate", "delete", "truncate .pst", "truncate .trm",
                                 "delete .pst", "truncate _stored.col"])
def test_damaged_index_error_and_cli_rebuild(tmp_path: Path, how: str) -> None:
    path = _damaged(tmp_path, how)
    with pytest.raises(IndexCorruptError) as raised:
        PaperIndex.open(path).search("확산 모델")
    assert str(path) in str(raised.value) and "--rebuild" in str(raised.value)
    runner = CliRunner()
    result = runner.invoke(main, ["query", "확산 모델", "--index", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "papersearch index --rebuild" in result.stderr
    result = runner.invoke(main, ["index", "--rebuild", str(SEEDS), "--index", str(path)])
    assert result.exit_code == 0, result.stderr
    assert PaperIndex.open(path).search("기계 생성 텍스트 탐지")[0].arxiv_id == "2401.12070"


def test_killed_create_leaves_an_openable_index(tmp_path: Path) -> None:
    from whoosh import index as windex

    from papersearch.schema import build_schema

    path = tmp_path / "ix"
    path.mkdir()
    windex.create_in(str(path), build_schema())  # made, never stamped: create() killed there
    index = PaperIndex.open(path)
    assert index.add(SEEDS).papers_added == 29


# -- hostile queries ------------------------------------------------------------------------------

_PIECES = st.sampled_from([
    "확산", "모델을", "LLM", "GPT-4V의", '"', "(", ")", "OR", "AND", "NOT", "-", "--", "*", "a*",
    "title:", "author:", "id:", "foo:", "summary:(", "\x00", "\x1b[2J", "\t", "\n", "\u200b",
    "\ufeff", unicodedata.normalize("NFD", "강화학습"), "\ud800", "🙂", "?", "\\", "~", "^2",
    "'", "||", "&&", ":", "ㄱ", "ᄀ", "Ａ", "%", "[", "]", "{", "}",
])
_QUERIES = st.one_of(
    st.text(max_size=80),
    st.lists(_PIECES, max_size=30).map(" ".join),
    st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=30).map("".join),
)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=_QUERIES)
def test_hostile_queries_never_crash(seed_index: PaperIndex, query: str) -> None:
    try:
        result = seed_index.search(query, limit=5)
    except QueryError as exc:
        assert str(exc).startswith("query ")
        return
    assert len(result.hits) <= 5
    for hit in result.hits:
        for start, end in hit.snippet_highlights:
            assert 0 <= start < end <= len(hit.snippet)


@settings(max_examples=20, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=1001, max_value=12000), filler=_PIECES)
def test_long_queries_are_refused_quickly(seed_index: PaperIndex, size: int, filler: str) -> None:
    query = (filler * size)[:size] if filler else "x" * size
    if len(query) <= 1000:
        return
    with pytest.raises(QueryError, match="too long"):
        seed_index.search(query)


def test_hostile_queries_through_the_cli(seed_index: PaperIndex) -> None:
    runner = CliRunner()
    rng = random.Random(5)
    pieces = ['"', "(", ")", "OR", "NOT", "-", "title:", "확산", "\x00", "🙂", "x" * 1500]
    for _ in range(40):
        query = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        result = runner.invoke(main, ["query", query, "--json", "--index", str(seed_index.path)])
        assert result.exit_code in (0, 1), (query, result.output)
        assert "Traceback" not in result.stderr + result.stdout
        if result.exit_code == 0:
            assert json.loads(result.stdout)["query"] == query


# -- hostile digests --------------------------------------------------------------------------------

SEED_TEXT = (SEEDS / "2024-01-23.md").read_text(encoding="utf-8")
SEED_ENTRIES = parse_digest(SEEDS / "2024-01-23.md").entries


def _entry_spans(entries: list[DigestEntry], lines: int) -> dict[str, range]:
    starts = [e.line for e in entries] + [lines + 1]
    return {e.arxiv_id: range(e.line, starts[i + 1]) for i, e in enumerate(entries)}


SPANS = _entry_spans(SEED_ENTRIES, SEED_TEXT.count("\n") + 1)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_deleted_lines_spare_the_other_entries(tmp_path_factory: pytest.TempPathFactory,
                                               data: st.DataObject) -> None:
    lines = SEED_TEXT.split("\n")
    doomed = set(data.draw(st.lists(st.integers(1, len(lines)), min_size=1, max_size=5)))
    kept = [line for n, line in enumerate(lines, start=1) if n not in doomed]
    path = tmp_path_factory.mktemp("mut") / "2024-01-23.md"
    path.write_text("\n".join(kept), encoding="utf-8")
    parsed = parse_digest(path)
    got = {e.arxiv_id: e for e in parsed.entries}
    for original in SEED_ENTRIES:
        span = SPANS[original.arxiv_id]
        touched = any(n in span or n == span.stop for n in doomed)
        if not touched:
            entry = got.get(original.arxiv_id)
            assert entry is not None, (original.arxiv_id, sorted(doomed))
            assert (entry.title, entry.votes, entry.authors, entry.bullets) == (
                original.title, original.votes, original.authors, original.bullets)
    for issue in parsed.issues:
        assert issue.path == str(path) and 1 <= issue.line <= len(kept) + 1


_MUTATIONS = st.sampled_from(["truncate", "garbage", "cp949", "bom", "crlf", "duplicate",
                              "nul", "latin1"])


@settings(max_examples=200, deadline=None)
@given(kind=_MUTATIONS, where=st.floats(0, 1), junk=st.binary(min_size=1, max_size=200))
def test_mutated_digests_never_crash(tmp_path_factory: pytest.TempPathFactory, kind: str,
                                     where: float, junk: bytes) -> None:
    raw = SEED_TEXT.encode("utf-8")
    cut = int(len(raw) * where)
    if kind == "truncate":
        data = raw[:cut]
    elif kind == "garbage":
        data = raw[:cut] + junk + raw[cut:]
    elif kind == "cp949":
        data = SEED_TEXT.encode("cp949", "replace")
    elif kind == "bom":
        data = b"\xef\xbb\xbf" + raw
    elif kind == "crlf":
        data = raw.replace(b"\n", b"\r\n")
    elif kind == "duplicate":
        data = raw[:cut] + raw
    elif kind == "nul":
        data = raw.replace(b"\n", b"\n\x00", 3)
    else:
        data = SEED_TEXT.encode("latin-1", "replace")
    path = tmp_path_factory.mktemp("mut") / "2024-01-23.md"
    path.write_bytes(data)
    try:
        parsed = parse_digest(path)
    except DigestError as exc:  # only for a file that says nothing about its day
        assert str(path) in str(exc)
        return
    if kind in {"cp949", "bom", "crlf"}:
        assert [e.arxiv_id for e in parsed.entries] == [e.arxiv_id for e in SEED_ENTRIES]
        assert parsed.entries[0].bullets == SEED_ENTRIES[0].bullets
    if kind == "duplicate":
        assert {e.arxiv_id for e in parsed.entries} == {e.arxiv_id for e in SEED_ENTRIES}


def test_mutated_digests_index_their_good_entries(tmp_path: Path) -> None:
    raw = SEED_TEXT.encode("utf-8")
    middle = raw.index(b"### [", len(raw) // 2)
    variants = {
        "2024/01/20.md": raw[: middle + 40],  # truncated inside a heading
        "2024/01/21.md": raw[:middle] + os.urandom(3000) + raw[middle:],
        "2024/01/22.md": SEED_TEXT.replace("\n", "\r\n").encode("cp949", "replace"),
    }
    index = PaperIndex.create(tmp_path / "ix")
    paths = []
    for relative, data in variants.items():
        path = tmp_path / "digests" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.replace(b"2024-01-23", relative[:10].replace("/", "-").encode()))
        paths.append(path)
    report = index.add(paths)
    assert report.failed == []
    before_middle = {e.arxiv_id for e in SEED_ENTRIES if e.line < SEED_TEXT[:middle].count("\n")}
    for arxiv_id in before_middle:
        assert index.get(arxiv_id) is not None
    assert index.stats().papers == len(SEED_ENTRIES)  # every entry survives in some variant
    assert all(i.path in {str(p) for p in paths} and i.line >= 1 for i in report.issues)


@pytest.mark.slow
def test_fifty_megabyte_digest(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-23.md"
    with path.open("wb") as out:
        out.write(SEED_TEXT.encode("utf-8"))
        rng = random.Random(3)
        for _ in range(50):
            out.write(rng.randbytes(1_000_000))
    assert path.stat().st_size > 50_000_000
    start = time.perf_counter()
    index = PaperIndex.create(tmp_path / "ix")
    report = index.add(path)
    elapsed = time.perf_counter() - start
    assert report.failed == [] and index.stats().papers == len(SEED_ENTRIES)
    assert any("not UTF-8" in i.message for i in report.issues)
    assert index.search("기계 생성 텍스트 탐지")[0].arxiv_id == "2401.12070"
    print(f"50 MB digest indexed in {elapsed:.1f} s")
