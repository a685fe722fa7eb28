"""Building and updating an index: idempotent, incremental, versioned, locked, recoverable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from whoosh import index as windex

from papersearch import (
    DigestError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    PaperIndex,
    PapersearchError,
)

from conftest import DigestWriter
from helpers import SEEDS, digest, entry, segment_files


def ids(index: PaperIndex, query: str, **kw: object) -> list[str]:
    """The papers matching the whole query (not those that follow, matching part of it)."""
    return [h.arxiv_id for h in index.search(query, limit=50, **kw)  # type: ignore[arg-type]
            if not h.partial]


def test_create_add_and_reopen(tmp_path: Path) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    report = index.add(SEEDS)
    assert report.count("added") == 2 and report.papers_added == 29
    assert report.issues == [] and report.failed == []
    index.close()
    with PaperIndex.open(tmp_path / "ix") as reopened:
        stats = reopened.stats()
        assert (stats.papers, stats.days) == (29, 2)
        assert (stats.first_date, stats.last_date) == (dt.date(2024, 1, 23), dt.date(2024, 3, 6))
        paper = reopened.get("2401.12070")
        assert paper is not None and paper.votes == 25 and "Tom Goldstein" in paper.authors


def test_create_refuses_to_replace_an_index(tmp_path: Path) -> None:
    PaperIndex.create(tmp_path / "ix").close()
    with pytest.raises(PapersearchError, match="already exists"):
        PaperIndex.create(tmp_path / "ix")
    PaperIndex.create(tmp_path / "ix", overwrite=True).close()


def test_adding_the_same_files_again_changes_nothing(tmp_path: Path) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    index.add(SEEDS)
    files_before = sorted(p.name for p in (tmp_path / "ix").iterdir())
    again = index.add(SEEDS)
    assert again.count("unchanged") == 2 and again.skipped == [str(SEEDS / "2024-01-23.md"),
                                                               str(SEEDS / "2024-03-06.md")]
    assert (again.papers_added, again.papers_updated, again.papers_removed) == (0, 0, 0)
    assert index.stats().papers == 29
    # Adding a single seed file again is also a no-op.
    assert index.add(SEEDS / "2024-01-23.md").count("unchanged") == 1
    assert sorted(p.name for p in (tmp_path / "ix").iterdir()) == files_before


def test_changed_day_replaces_that_days_entries(tmp_path: Path, write_digest: DigestWriter
                                               ) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    day1 = write_digest("a/2024/01/01.md", digest(
        "2024-01-01",
        entry("2401.00001", "Sparse Attention", ["희소 어텐션을 제안한다."], votes=3),
        entry("2401.00002", "Old Paper", ["사라질 논문이다."], votes=4)))
    day2 = write_digest("a/2024/01/02.md", digest(
        "2024-01-02", entry("2401.00003", "Other Day", ["다른 날의 논문."], votes=1)))
    first = index.add([day1, day2])
    assert first.papers_added == 3
    # The generator rewrote 2024-01-01: one paper dropped, one changed, one new.
    changed = write_digest("b/2024/01/01.md", digest(
        "2024-01-01",
        entry("2401.00001", "Sparse Attention", ["희소 어텐션을 개선한다."], votes=9),
        entry("2401.00004", "New Paper", ["새로운 논문이다."], votes=2)))
    report = index.add(changed)
    assert report.count("updated") == 1
    assert (report.papers_added, report.papers_updated, report.papers_removed) == (1, 1, 1)
    assert index.get("2401.00002") is None
    assert ids(index, "사라질") == []
    paper = index.get("2401.00001")
    assert paper is not None and paper.votes == 9
    assert ids(index, "개선") == ["2401.00001"] and ids(index, "제안") == []
    assert index.get("2401.00003") is not None  # the other day is untouched
    assert index.stats().papers == 3


def test_new_day_touches_only_its_papers(tmp_path: Path, write_digest: DigestWriter) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    index.add(SEEDS)
    new_day = write_digest("2024/03/07.md", digest(
        "2024-03-07", entry("2403.99999", "Brand New", ["완전히 새로운 논문."])))
    report = index.add([SEEDS, new_day])
    assert [f.status for f in report.files] == ["unchanged", "unchanged", "added"]
    assert (report.papers_added, report.papers_updated, report.papers_removed) == (1, 0, 0)


def test_paper_on_several_days_is_one_paper(tmp_path: Path, write_digest: DigestWriter) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    index.add([
        write_digest("2024/01/01.md", digest("2024-01-01", entry(
            "2401.00001", "LLM$\\times$MapReduce: Long Inputs", ["첫날 요약."], votes=3))),
        write_digest("2024/01/03.md", digest("2024-01-03", entry(
            "2401.00001", "LLMtimesMapReduce: Long Inputs", ["셋째 날 요약."], votes=None))),
    ])
    paper = index.get("2401.00001")
    assert paper is not None
    assert paper.dates == [dt.date(2024, 1, 1), dt.date(2024, 1, 3)]
    assert paper.votes == 3  # the latest known: the later day has no Vote line
    assert paper.title == "LLMtimesMapReduce: Long Inputs"
    assert paper.other_titles == ["LLM×MapReduce: Long Inputs"]
    assert ids(index, "셋째") == ["2401.00001"]
    assert ids(index, "LLM×MapReduce") == ["2401.00001"]  # the other title is searchable
    assert index.stats().papers == 1


def test_broken_entry_skipped_rest_indexed(tmp_path: Path, write_digest: DigestWriter) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    index.add(SEEDS)
    path = write_digest("2024/01/10.md", digest(
        "2024-01-10", entry("2401.00020", "Kept", ["남는 논문."]),
        "### [no link here]\n\n- 버려지는 논문.\n\n"))
    report = index.add(path)
    assert [(i.path, i.line, i.severity) for i in report.issues] == [(str(path), 13, "error")]
    assert index.get("2401.00020") is not None
    assert index.stats().papers == 30


def test_strict_mode_fails_before_writing(tmp_path: Path, write_digest: DigestWriter) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    good = write_digest("2024/01/11.md", digest("2024-01-11", entry("2401.00021", "Good", ["좋음"])))
    bad = write_digest("2024/01/12.md", "## Daily Papers (2024-01-12)\n\n### [bad](nope)\n")
    with pytest.raises(DigestError, match=r"01/12\.md:3"):
        index.add([good, bad], strict=True)
    assert index.stats().papers == 0


def test_batches_stream_and_end_merged(tmp_path: Path, write_digest: DigestWriter) -> None:
    """Days are parsed and committed a batch at a time; a batch with nothing to write at
    the end (a broken file) still leaves the earlier commits merged into one segment."""
    days = [write_digest(f"2024/02/0{n}.md", digest(
        f"2024-02-0{n}", entry(f"2402.0000{n}", f"Paper {n}", [f"{n}번째 논문."])))
        for n in range(1, 4)]
    broken = write_digest("misc/notes.md", entry("2402.00009", "Undated", ["날짜 없음"]))
    seen: list[tuple[int, int]] = []
    with PaperIndex.create(tmp_path / "ix") as index:
        report = index.add([*days, broken], commit_every=1,
                           progress=lambda done, total, _: seen.append((done, total)))
        assert report.papers_added == 3 and report.failed == [str(broken)]
        assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
        with index.reading() as lease:
            assert len(lease.searcher.reader().leaf_readers()) == 1
        assert index.stats().papers == 3
        # strict: the broken file fails the add before the first batch is written
        more = write_digest("2024/02/05.md",
                            digest("2024-02-05", entry("2402.00005", "P5", ["다섯"])))
        with pytest.raises(DigestError, match=r"notes\.md"):
            index.add([more, broken], strict=True, commit_every=1)
        assert index.stats().papers == 3


def test_unreadable_file_is_a_failed_file(tmp_path: Path, write_digest: DigestWriter) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    undated = write_digest("misc/notes.md", entry("2401.00022", "Undated", ["날짜 없음"]))
    report = index.add([SEEDS, undated])
    assert report.failed == [str(undated)] and report.count("added") == 2
    assert index.stats().papers == 29


def test_open_missing_index_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="papersearch index PATH"):
        PaperIndex.open(tmp_path / "nothing")


def test_open_index_of_another_schema_version(tmp_path: Path) -> None:
    from whoosh import index as windex

    PaperIndex.create(tmp_path / "ix").close()
    ix = windex.open_dir(str(tmp_path / "ix"))
    writer = ix.writer()
    writer.update_document(key="meta", kind="meta", version="0.0.1", schema_version=0)
    writer.commit()
    with pytest.raises(IndexVersionError, match="rebuild it with: papersearch index --rebuild"):
        PaperIndex.open(tmp_path / "ix")


def test_second_writer_waits_then_fails_naming_the_index(tmp_path: Path) -> None:
    PaperIndex.create(tmp_path / "ix").close()
    other = PaperIndex.open(tmp_path / "ix", lock_timeout=0.3)
    holder = windex.open_dir(str(tmp_path / "ix")).writer()  # another writer holds the lock
    try:
        with pytest.raises(IndexLockedError, match=str(tmp_path / "ix")):
            other.add(SEEDS)
    finally:
        holder.cancel()
    assert other.add(SEEDS).count("added") == 2  # once the lock is free it works


def test_searches_see_the_last_commit(tmp_path: Path, write_digest: DigestWriter) -> None:
    reader = PaperIndex.create(tmp_path / "ix")
    reader.add(SEEDS)
    assert ids(reader, "유일무이한") == []
    writer = PaperIndex.open(tmp_path / "ix")
    writer.add(write_digest("2024/01/13.md", digest(
        "2024-01-13", entry("2401.00030", "Fresh", ["유일무이한 논문."]))))
    assert ids(reader, "유일무이한") == ["2401.00030"]


def test_rebuild_recovers_a_damaged_index(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    PaperIndex.create(path).add(SEEDS)
    for segment in segment_files(path):
        segment.write_bytes(segment.read_bytes()[:100])  # truncate every segment file
    with pytest.raises(IndexCorruptError, match="papersearch index --rebuild"):
        damaged = PaperIndex.open(path)
        damaged.search("확산 모델")
    index, report = PaperIndex.rebuild(path, SEEDS)
    assert report.papers_added == 29
    assert ids(index, "기계 생성 텍스트 탐지")[0] == "2401.12070"


def test_rebuild_failure_keeps_the_old_index(tmp_path: Path, write_digest: DigestWriter) -> None:
    path = tmp_path / "ix"
    PaperIndex.create(path).add(SEEDS)
    bad = write_digest("2024/01/14.md", "## Daily Papers (2024-01-14)\n\n### [bad](nope)\n")
    with pytest.raises(DigestError):
        PaperIndex.rebuild(path, [bad], strict=True)
    assert PaperIndex.open(path).stats().papers == 29
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digests", "ix"]  # no staging left


def test_worker_processes_build_the_same_index(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import papersearch.ingest.indexing
    from papersearch.analysis import PreTokenized

    from helpers import synthetic_days

    made: list[str] = []

    class Counted(PreTokenized):
        def __new__(cls, text: str, tokens: tuple) -> Counted:  # type: ignore[type-arg]
            made.append(text)
            return super().__new__(cls, text, tokens)  # type: ignore[return-value]

    monkeypatch.setattr(papersearch.ingest.indexing, "PreTokenized", Counted)
    days = [SEEDS, *synthetic_days(6, tmp_path / "days")]
    serial = PaperIndex.create(tmp_path / "serial")
    parallel = PaperIndex.create(tmp_path / "parallel")
    serial_added = serial.add(days, workers=0).papers_added
    made.clear()  # in-process analysis pre-tokenizes too: count the parallel add's alone
    assert serial_added == parallel.add(days, workers=2).papers_added
    assert len(made) == 2 * parallel.stats().papers  # title and summary came from the workers
    for query in ["기계 생성 텍스트 탐지", "GPT-4V", '"확산 모델"', "Tom Goldstein", "rectifying flows"]:
        mine = [(h.arxiv_id, round(h.score, 6), h.snippet_highlights, h.title_highlights)
                for h in parallel.search(query, limit=20)]
        theirs = [(h.arxiv_id, round(h.score, 6), h.snippet_highlights, h.title_highlights)
                  for h in serial.search(query, limit=20)]
        assert mine == theirs and mine, query
    paper = parallel.get("2401.12070")
    assert paper is not None and paper == serial.get("2401.12070")
