"""Faults and hostile input: each error tells the truth, and no input costs unbounded work."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage

from papersearch import IndexCorruptError, IndexUnavailableError, PaperIndex
from papersearch.cli import main

from helpers import SEEDS, segment_files


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    with PaperIndex.create(path) as index:
        index.add(SEEDS)
    return path


def failing_open(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Every file the index opens from now on fails with the operating-system error ``code``."""
    def open_file(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        raise OSError(code, "injected", str(Path(self.folder) / name))

    monkeypatch.setattr(FileStorage, "open_file", open_file)


@pytest.mark.parametrize(("code", "says"), [
    (errno.EMFILE, "too many open files"),
    (errno.EACCES, "permission denied"),
    (errno.ENOSPC, "no space left"),
])
def test_system_errors_are_not_called_damage(index_dir: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             code: int, says: str) -> None:
    from helpers import synthetic_days

    index = PaperIndex.open(index_dir)
    day = synthetic_days(1, tmp_path / "new")[0]
    failing_open(monkeypatch, code)
    with pytest.raises(IndexUnavailableError, match=says) as caught:
        index.add(day)  # writing
    assert "rebuild" not in str(caught.value)
    with pytest.raises(IndexUnavailableError, match=says):
        PaperIndex.open(index_dir)  # reading
    monkeypatch.undo()
    assert index.search("확산 모델").total > 0  # nothing was damaged
    assert index.add(day).count("added") == 1  # and the add goes through now
    index.close()


def test_system_error_at_open_names_it_too(index_dir: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    failing_open(monkeypatch, errno.EMFILE)
    with pytest.raises(IndexUnavailableError, match="ulimit -n"):
        PaperIndex.open(index_dir)


@pytest.mark.parametrize("column", ["votes", "first_date", "words", "author_list", "_stored"])
def test_a_missing_column_file_is_damage_not_an_empty_answer(index_dir: Path,
                                                             column: str) -> None:
    # Whoosh reads a missing column as no values: --min-votes 50 would find nothing
    missing = segment_files(index_dir, f".{column}.col")[0]
    missing.unlink()
    with pytest.raises(IndexCorruptError, match=missing.name):
        PaperIndex.open(index_dir).search("확산", min_votes=10)
    result = CliRunner().invoke(main, ["query", "확산", "--min-votes", "10",
                                       "--index", str(index_dir)])
    assert result.exit_code == 1 and missing.name in result.stderr
    assert "rebuild" in result.stderr


def test_rebuild_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ix"
    with PaperIndex.create(path) as index:
        index.add(SEEDS / "2024-01-23.md")
    before = sorted(p.name for p in path.iterdir())
    real_rename = Path.rename

    def refuse_moving_the_old_index(self: Path, target: Any) -> Any:
        if self == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_moving_the_old_index)
    with pytest.raises(IndexUnavailableError, match="old index is unchanged"):
        PaperIndex.rebuild(path, SEEDS)
    monkeypatch.undo()
    assert sorted(p.name for p in path.iterdir()) == before  # the old index, as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]  # nothing left beside it
    # a leftover of an earlier run (here one that cannot be read) does not stop the next
    (tmp_path / ".ix.old").mkdir()
    (tmp_path / ".ix.rebuild").mkdir()
    index, report = PaperIndex.rebuild(path, SEEDS)
    assert report.papers_added == 29 and index.stats().papers == 29
    index.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]


def test_rebuild_after_the_old_index_cannot_be_deleted(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ix"
    PaperIndex.create(path).close()
    real_rmtree = shutil.rmtree

    def keep_retired(target: Any, *args: Any, **kwargs: Any) -> None:
        if ".old" in Path(target).name:
            return  # as if deleting it failed (ignore_errors swallows the reason)
        real_rmtree(target, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", keep_retired)
    index, _ = PaperIndex.rebuild(path, SEEDS)  # succeeds: the new index is in place
    assert index.stats().papers == 29
    index.close()
    monkeypatch.undo()
    index, _ = PaperIndex.rebuild(path, SEEDS)  # and the leftover is no obstacle
    index.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]


# -- bounded work ------------------------------------------------------------------------------

def test_a_long_phrase_is_cut_with_a_note(index_dir: Path) -> None:
    with PaperIndex.open(index_dir) as index:
        result = index.search('"' + "모델 " * 330 + '"')
        assert any("only its first 12 terms" in note for note in result.notes)
        with index.reading() as lease:
            plan = index.plan('"' + "모델 " * 330 + '"', lease=lease)
            phrase = plan.strict()
            assert phrase is not None
            assert all(len(leaf.words) <= 12 for leaf in phrase.leaves()
                       if hasattr(leaf, "words"))


def test_explanations_are_bounded(index_dir: Path) -> None:
    with PaperIndex.open(index_dir) as index:
        result = index.search("모델", limit=29, explain=True)
        explained = [h for h in result.hits if h.explanation is not None]
        assert len(result.hits) > 20 and len(explained) == 20
        assert any("explanations for the first 20" in note for note in result.notes)


def test_did_you_mean_is_for_short_queries(index_dir: Path) -> None:
    with PaperIndex.open(index_dir) as index:
        assert index.search("Binocularz", correct=False).did_you_mean == "binoculars"
        long = " ".join(["Binocularz"] + ["텍스트"] * 8)
        assert index.search(long, correct=False).did_you_mean is None


# -- trust -------------------------------------------------------------------------------------

def test_an_index_others_can_write_is_refused(index_dir: Path) -> None:
    from papersearch import IndexUntrustedError

    index_dir.chmod(0o775)  # group-writable: someone else could plant a pickled schema
    with pytest.raises(IndexUntrustedError, match="runs code stored in it"):
        PaperIndex.open(index_dir)
    with PaperIndex.open(index_dir, trust=True) as index:  # the shared setup, knowingly
        assert index.stats().papers == 29
    result = CliRunner().invoke(main, ["query", "확산", "--index", str(index_dir)])
    assert result.exit_code == 1 and "--trust-index" in result.stderr
    result = CliRunner().invoke(main, ["--trust-index", "query", "확산", "--index",
                                       str(index_dir)])
    assert result.exit_code == 0
    index_dir.chmod(0o755)
    toc = next(index_dir.glob("_MAIN_*.toc"))
    toc.chmod(0o666)
    with pytest.raises(IndexUntrustedError, match=toc.name):
        PaperIndex.open(index_dir)
