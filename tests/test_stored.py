"""What an index keeps so a new process need not compute it again: the vocabulary of
each index version (did-you-mean, suggest) and the loanword lexicon as its analyzer
reads it. Each is checked against computing it afresh, and each must be a cache: a
missing, damaged or unwritable file changes nothing but speed."""

from __future__ import annotations

import os
import random
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import index as windex

from papersearch import PaperIndex
from papersearch.discovery.vocabulary import (
    FILE_PREFIX,
    DeletionTable,
    Vocabulary,
    stored_vocabulary,
    vocabulary_file,
    words_in,
)
from papersearch.schema import META_KEY
from papersearch.search.compiler import QueryCompiler

from helpers import SEEDS, synthetic_days


def vocabulary_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob(f"{FILE_PREFIX}*.bin"))


def same_answers(a: Vocabulary, b: Vocabulary, words: list[str]) -> None:
    """The two give the same corrections and completions for ``words`` and typos of them."""
    for word in words:
        typo = word[:-1] if len(word) > 3 else word + "x"
        for probe in (word, typo, word[: max(1, len(word) // 2)]):
            assert a.near(probe) == b.near(probe), probe
            assert a.complete(probe) == b.complete(probe), probe
            assert a.count(probe) == b.count(probe), probe
    assert len(a) == len(b)


@pytest.fixture()
def built(tmp_path: Path) -> Iterator[tuple[PaperIndex, Path]]:
    directory = tmp_path / "ix"
    with PaperIndex.create(directory) as index:
        index.add([SEEDS, *synthetic_days(12, tmp_path / "days")])
        yield index, directory


def test_a_large_add_leaves_the_vocabulary_of_the_new_version_and_it_answers_alike(
        built: tuple[PaperIndex, Path]) -> None:
    index, directory = built
    with index.reading() as lease:
        generation = lease.searcher.reader().generation()
        counts = words_in(lease.searcher.reader())
    fresh = Vocabulary(counts)
    assert vocabulary_files(directory) == [vocabulary_file(directory, generation).name]
    loaded = Vocabulary.load(vocabulary_file(directory, generation))
    words = sorted(counts)
    assert len(words) > 1000
    same_answers(fresh, loaded, words[::7])
    # and what a new process answers from it is what it answered from the index
    with PaperIndex.open(directory) as reopened:
        assert reopened.suggest("강화") == index.suggest("강화")
        assert reopened.search("difusion").corrected_from == "difusion"


def test_a_small_add_leaves_the_file_to_the_first_reader_which_replaces_the_old_one(
        built: tuple[PaperIndex, Path], tmp_path: Path) -> None:
    index, directory = built
    before = vocabulary_files(directory)
    index.add(synthetic_days(1, tmp_path / "more", start=40))  # one day of ~40 papers
    assert vocabulary_files(directory) == before  # not rewritten by so small an add
    with PaperIndex.open(directory) as reopened:
        suggestions = reopened.suggest("강화")
        with reopened.reading() as lease:
            generation = lease.searcher.reader().generation()
            fresh = Vocabulary.read(lease.searcher.reader())
    assert vocabulary_files(directory) == [vocabulary_file(directory, generation).name]
    assert suggestions and suggestions[0].papers == fresh.count(suggestions[0].text)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_vocabulary_file_is_read_again_from_the_index(
        built: tuple[PaperIndex, Path], damage: str) -> None:
    index, directory = built
    expected = index.suggest("강화")
    [name] = vocabulary_files(directory)
    path = directory / name
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"x" * 100,
                      "empty": b""}[damage])
    with pytest.raises(ValueError):
        Vocabulary.load(path)
    with PaperIndex.open(directory) as reopened:
        assert reopened.suggest("강화") == expected
    Vocabulary.load(path)  # and the reader wrote it whole again


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_a_read_only_index_is_searched_without_writing(built: tuple[PaperIndex, Path]) -> None:
    index, directory = built
    expected = index.suggest("강화")
    for path in directory.glob(f"{FILE_PREFIX}*.bin"):
        path.unlink()
    mode = directory.stat().st_mode
    directory.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with PaperIndex.open(directory) as reopened:
            assert reopened.suggest("강화") == expected
        assert vocabulary_files(directory) == []
    finally:
        directory.chmod(mode)


def test_an_unwritable_vocabulary_file_is_not_an_error(
        built: tuple[PaperIndex, Path], tmp_path: Path) -> None:
    index, _ = built
    with index.reading() as lease:
        reader = lease.searcher.reader()
        blocked = tmp_path / "blocked"
        blocked.write_text("a file where a directory should be")
        vocabulary = stored_vocabulary(blocked, reader)  # saving fails: OSError, ignored
        assert len(vocabulary) == len(Vocabulary.read(reader))


def test_the_corrections_table_finds_exactly_what_a_dictionary_finds() -> None:
    rng = random.Random(3)
    alphabet = "ㄱㄴㄷㅏㅓㅗabc"
    table: dict[str, list[int]] = {}
    for slot in range(3000):
        probe = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
        table.setdefault(probe, []).append(slot)
    flat = DeletionTable.of(table)
    for probe in [*table, "", "zzz", "ㄱㄱㄱㄱㄱㄱㄱ", min(table), max(table)]:
        assert list(flat.get(probe)) == table.get(probe, [])


def test_the_index_keeps_the_loanword_lexicon_as_its_analyzer_reads_it(tmp_path: Path) -> None:
    directory = tmp_path / "ix"
    PaperIndex.create(directory).close()
    with PaperIndex.open(directory) as index, index.reading() as lease:
        kept = index.glossary(lease).loanwords.table
        fresh = QueryCompiler(lease.searcher.schema).loanwords().table
        stored = lease.searcher.document(key=META_KEY)["record"]
    assert len(kept) > 500 and kept == fresh and stored


def test_an_index_without_the_kept_lexicon_analyzes_it_when_opened(tmp_path: Path) -> None:
    """An index made before the table was kept (its meta document has no record)."""
    directory = tmp_path / "ix"
    with PaperIndex.create(directory) as index:
        index.add(SEEDS)
        expected = [h.arxiv_id for h in index.search("할루시네이션")]
    ix = windex.open_dir(str(directory))
    with ix.searcher() as searcher:
        meta = dict(searcher.document(key=META_KEY))
    writer = ix.writer()
    writer.update_document(**{k: v for k, v in meta.items() if k != "record"})
    writer.commit()
    ix.close()
    with PaperIndex.open(directory) as index, index.reading() as lease:
        assert not lease.searcher.document(key=META_KEY).get("record")
        assert index.glossary(lease).loanwords.table == QueryCompiler(
            lease.searcher.schema).loanwords().table
        assert [h.arxiv_id for h in index.search("할루시네이션")] == expected


def test_a_rebuilt_index_keeps_its_vocabulary_file(tmp_path: Path) -> None:
    directory = tmp_path / "ix"
    shutil.copytree(SEEDS, tmp_path / "digests")
    with PaperIndex.create(directory) as index:
        index.add(tmp_path / "digests")
    rebuilt, _ = PaperIndex.rebuild(directory, [tmp_path / "digests"])
    with rebuilt, rebuilt.reading() as lease:
        generation = lease.searcher.reader().generation()
    assert vocabulary_files(directory) == [vocabulary_file(directory, generation).name]


def test_a_vocabulary_file_of_an_earlier_index_with_the_same_version_number_is_not_used(
        tmp_path: Path) -> None:
    """An index made again in the same directory numbers its versions from the start."""
    first, second = tmp_path / "first", tmp_path / "second"
    with PaperIndex.create(first) as index:
        index.add(SEEDS)
        expected_first = index.suggest("강화")
    with PaperIndex.create(second) as index:
        index.add(synthetic_days(12, tmp_path / "days"))
        expected_second = index.suggest("강화")
        with index.reading() as lease:
            generation = lease.searcher.reader().generation()
    assert expected_first != expected_second
    [name] = vocabulary_files(second)
    # the first index's file, under the second index's version number
    [other] = vocabulary_files(first)
    shutil.copy(first / other, second / name)
    with PaperIndex.open(second) as index:
        assert index.suggest("강화") == expected_second
    assert generation >= 1


def test_a_failure_writing_the_vocabulary_does_not_fail_the_add(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The add has committed by then: a merge that took the new version's files away, a
    full disk, anything, leaves the file to the first reader."""
    import papersearch.discovery.vocabulary as vocabulary_module

    def broken(*_: object) -> Vocabulary:
        raise FileNotFoundError(2, "a column file is missing", "MAIN_x._words.col")

    directory = tmp_path / "ix"
    with PaperIndex.create(directory) as index:
        monkeypatch.setattr(vocabulary_module, "stored_vocabulary", broken)
        report = index.add(SEEDS)
        assert report.papers_added > 0 and vocabulary_files(directory) == []
        monkeypatch.undo()
        assert index.suggest("강화")  # the first reader reads it, and writes the file
    assert len(vocabulary_files(directory)) == 1
