"""Everyday use: paging, typo recovery, help, arXiv id forms, finding the index, keeping in
sync with a digest checkout, and one clear message per bad input file."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as windex

from papersearch import PaperIndex
from papersearch.cli import main
from papersearch.locate import find_index, index_candidates

from helpers import SEEDS, digest, entry

MARCH_6 = dt.date(2024, 3, 6)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the working directory (the old one back afterwards)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- paging ----------------------------------------------------------------------------------

def test_pages_follow_one_another(seed_index: PaperIndex) -> None:
    whole = seed_index.search("모델", limit=30)
    assert whole.total > 20
    pages, offset = [], 0
    while offset is not None:
        page = seed_index.search("모델", limit=7, offset=offset)
        assert page.offset == offset and page.total == whole.total
        pages += [h.arxiv_id for h in page.hits]
        offset = page.next_offset
    assert pages == [h.arxiv_id for h in seed_index.search("모델", limit=100).hits]
    assert whole.next_offset is None or whole.next_offset == 30
    assert seed_index.search("모델", limit=5, offset=1000).hits == []


def test_pages_cross_from_full_to_partial_matches(seed_index: PaperIndex) -> None:
    query = "Tom Goldstein"  # one full match, then partial ones
    every = [(h.arxiv_id, h.partial) for h in seed_index.search(query, limit=50).hits]
    assert every[0] == ("2401.12070", False) and any(p for _, p in every)
    paged = [(h.arxiv_id, h.partial) for o in range(len(every))
             for h in seed_index.search(query, limit=1, offset=o).hits]
    assert paged == every


def test_cli_and_api_page(seed_index: PaperIndex, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    shutil.copytree(seed_index.path, index)
    first = json.loads(run("query", "모델", "--index", str(index), "--json")[1])
    second = json.loads(run("query", "모델", "--page", "2", "--index", str(index), "--json")[1])
    by_offset = json.loads(run("query", "모델", "--offset", "10", "--index", str(index),
                               "--json")[1])
    assert first["next_offset"] == 10 and second == by_offset and second["offset"] == 10
    assert not {h["arxiv_id"] for h in first["hits"]} & {h["arxiv_id"] for h in second["hits"]}
    code, out, _ = run("query", "모델", "--page", "2", "--index", str(index))
    assert code == 0 and out.splitlines()[0].startswith("11. ") and "11-20 of" in out
    assert run("query", "모델", "--page", "2", "--offset", "3", "--index", str(index))[0] == 2

    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from papersearch.server import create_app

    client = TestClient(create_app(seed_index), base_url="http://127.0.0.1")
    page = client.get("/api/search", params={"q": "모델", "offset": 10}).json()
    assert [h["arxiv_id"] for h in page["hits"]] == [h["arxiv_id"] for h in second["hits"]]
    assert client.get("/api/search", params={"q": "모델", "offset": -1}).status_code == 422


# -- typo recovery ---------------------------------------------------------------------------

def test_a_query_that_finds_nothing_shows_its_correction(seed_index: PaperIndex) -> None:
    result = seed_index.search("binocularz detecton")
    assert result.corrected_from == "binocularz detecton"
    assert result.query == "binoculars detection" and result.hits[0].arxiv_id == "2401.12070"
    as_typed = seed_index.search("binocularz detecton", correct=False)
    assert as_typed.hits == [] and as_typed.did_you_mean == "binoculars detection"
    assert as_typed.corrected_from is None


def test_short_words_are_offered_never_imposed(seed_index: PaperIndex) -> None:
    result = seed_index.search("LLN")  # three letters: a name as likely as a typo
    assert result.hits == [] and result.corrected_from is None
    assert result.did_you_mean == "llm"


def test_cli_says_what_it_searched(seed_index: PaperIndex) -> None:
    index = str(seed_index.path)
    code, out, _ = run("query", "binocularz", "--index", index)
    assert code == 0 and "Showing results for: binoculars" in out and "--no-correct" in out
    assert "Binoculars" in out
    code, out, _ = run("query", "binocularz", "--no-correct", "--index", index)
    assert "No papers found" in out and "Did you mean: binoculars" in out
    data = json.loads(run("query", "binocularz", "--json", "--index", index)[1])
    assert data["corrected_from"] == "binocularz" and data["query"] == "binoculars"


# -- help and arXiv ids ----------------------------------------------------------------------

@pytest.mark.parametrize("command", sorted(main.commands))
def test_dash_h_is_help_on_every_command(command: str) -> None:
    code, out, _ = run(command, "-h")
    assert code == 0 and out.startswith("Usage:") and "--help" in out


@pytest.mark.parametrize("form", ["2401.12070", "2401.12070v2", "arXiv:2401.12070",
                                  "https://arxiv.org/abs/2401.12070",
                                  "https://arxiv.org/pdf/2401.12070v1.pdf"])
def test_show_and_similar_take_every_id_form(seed_index: PaperIndex, form: str) -> None:
    index = str(seed_index.path)
    code, out, _ = run("show", form, "--index", index, "--json")
    assert code == 0 and json.loads(out)["arxiv_id"] == "2401.12070"
    code, out, _ = run("similar", form, "--index", index, "--json")
    assert code == 0 and json.loads(out)["arxiv_id"] == "2401.12070"
    assert seed_index.paper(form).arxiv_id == "2401.12070"
    assert [h.arxiv_id for h in seed_index.search(form).hits] == ["2401.12070"]  # the page's box


# -- finding the index -----------------------------------------------------------------------

def test_the_index_is_found_from_any_folder_below_it(inside: Path) -> None:
    shutil.copytree(SEEDS, inside / "seeds")
    assert run("index", "seeds")[0] == 0  # no --index: ./index
    assert (inside / "index").is_dir()
    deep = inside / "notes" / "2024"
    deep.mkdir(parents=True)
    os.chdir(deep)
    assert find_index() == inside / "index"
    code, out, _ = run("query", "Binoculars")
    assert code == 0 and "2401.12070" in out


def test_no_index_says_where_it_looked(inside: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(inside / "data"))
    code, _, err = run("query", "확산")
    assert code == 1 and "no index found" in err
    assert str(inside / "index") in err and str(inside / "data" / "papersearch" / "index") in err
    assert index_candidates()[-1] == inside / "data" / "papersearch" / "index"


# -- sync ------------------------------------------------------------------------------------

def test_prune_removes_days_gone_from_the_folder(tmp_path: Path) -> None:
    checkout = tmp_path / "digests"
    shutil.copytree(SEEDS, checkout)
    other = tmp_path / "elsewhere" / "2024-05-01.md"
    other.parent.mkdir()
    other.write_text(digest("2024-05-01", entry("2405.00001", "Elsewhere", ["다른 폴더"])),
                     encoding="utf-8")
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add([checkout, other])
        assert index.stats().papers == 30
        gone = checkout / "2024-03-06.md"
        march = {h.arxiv_id for h in index.search("", since=MARCH_6, until=MARCH_6,
                                                  limit=100).hits}
        gone.unlink()
        report = index.add(checkout)  # without prune nothing leaves
        assert index.stats().papers == 30 and report.removed == []
        report = index.add(checkout, prune=True)
        assert report.removed == [str(gone.resolve())] and report.papers_removed == len(march)
        assert index.stats().days == 2  # the other folder's day stays
        assert index.get("2405.00001") is not None
        assert march and all(index.get(a) is None for a in march)
        assert index.add(checkout, prune=True).removed == []  # nothing more to remove


def test_cli_prune_reports_the_count(tmp_path: Path) -> None:
    checkout = tmp_path / "digests"
    shutil.copytree(SEEDS, checkout)
    index = str(tmp_path / "ix")
    assert run("index", str(checkout), "--index", index)[0] == 0
    (checkout / "2024-03-06.md").unlink()
    code, out, _ = run("index", str(checkout), "--prune", "--index", index)
    assert code == 0 and "1 removed (gone from the folder)" in out and "16 papers" in out


# -- bad input -------------------------------------------------------------------------------

def test_a_file_that_is_no_digest_is_one_error(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "2024-01-01.md").write_text("root:x:0:0:root:/root:/bin/bash\n" * 25,
                                          encoding="utf-8")
    code, out, err = run("index", str(folder), "--index", str(tmp_path / "ix"))
    assert code == 1 and "0 added" in out and "1 failed" in out
    lines = [line for line in err.splitlines() if "2024-01-01.md" in line]
    assert len(lines) == 1 and "no paper entries found" in lines[0]


def test_an_impossible_date_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text(digest("2024-02-30", entry("2402.00001", "A", ["내용"])), encoding="utf-8")
    code, _, err = run("index", str(bad), "--index", str(tmp_path / "ix"))
    assert code == 1 and "invalid date in day header: '2024-02-30'" in err
    assert err.count("2024-02-30") == 1


def test_a_folder_without_digests_warns_and_fails(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run("index", str(tmp_path / "empty"), "--index", str(tmp_path / "ix"))
    assert code == 1 and "no digest files" in err and "Nothing to index" in err


def test_stats_of_an_empty_index(tmp_path: Path) -> None:
    PaperIndex.create(tmp_path / "ix").close()
    code, out, _ = run("stats", "--index", str(tmp_path / "ix"))
    assert code == 0 and "Days:    0\n" in out and "None" not in out


# -- interrupting an add ---------------------------------------------------------------------

@pytest.mark.slow
def test_ctrl_c_stops_quietly_and_keeps_whole_commits(tmp_path: Path) -> None:
    """Ctrl+C reaches the whole process group, as from a terminal: the workers stay quiet,
    the command says what it kept and exits 130, and the index holds whole days."""
    import signal
    import subprocess
    import sys
    import time

    from helpers import ROOT, synthetic_days

    days = synthetic_days(120, tmp_path / "days")
    index = tmp_path / "ix"
    process = subprocess.Popen(
        [sys.executable, "-m", "papersearch.cli", "index", str(tmp_path / "days"), "--index",
         str(index), "--workers", "2"], cwd=ROOT, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    assert process.stderr is not None
    lines = []
    for line in process.stderr:  # no terminal: plain lines, one per tenth written
        lines.append(line)
        if "files written" in line:
            break
    time.sleep(0.3)
    os.killpg(process.pid, signal.SIGINT)
    rest = process.stderr.read()
    assert process.wait(60) == 130
    err = "".join(lines) + rest
    assert lines[0].startswith("Reading, analysing and writing 120 files")
    assert "Traceback" not in err and "Interrupted. Kept what was committed" in err
    with PaperIndex.open(index) as reopened:
        stats = reopened.stats()
        assert stats.days >= 50  # the first commit at least
        per_day = {d: len(reopened.search("", since=d, until=d, limit=100).hits)
                   for d in reopened.days()}
    made = {dt.date.fromisoformat(p.stem): p for p in days}
    from papersearch import parse_digest

    assert all(n == len(parse_digest(made[d]).entries) for d, n in per_day.items())


# -- suggestions after words already typed ---------------------------------------------------

def test_suggestions_follow_the_words_typed_before(tmp_path: Path) -> None:
    entries = [entry(f"2406.0000{i}", f"LLM paper {i}", ["LLM의 환각 문제를 다룹니다."])
               for i in range(3)]
    entries += [entry(f"2406.0001{i}", f"Robot paper {i}", ["로봇이 환경을 탐색합니다."])
                for i in range(5)]
    entries += [entry("2406.00020", "LLM agents", ["LLM 에이전트가 환경과 상호작용합니다."])]
    day = tmp_path / "2024-06-03.md"
    day.write_text(digest("2024-06-03", *entries), encoding="utf-8")
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(day)
        alone = [(s.text, s.papers) for s in index.suggest("환")]
        assert alone[:2] == [("환경", 6), ("환각", 3)]  # by the papers using each word
        after = [(s.text, s.papers) for s in index.suggest("LLM 환")]
        assert after == [("LLM 환각", 3), ("LLM 환경", 1)]  # by papers that have LLM too
        assert index.search("LLM 환각").total == 3 and index.search("LLM 환경").total == 1
        # nothing found with the words before: the words' own counts
        assert [s.text for s in index.suggest("양자컴퓨터 환")][:1] == ["양자컴퓨터 환경"]


def test_no_fragments_of_chopped_words_are_suggested() -> None:
    from papersearch.analysis import MecabTokenizer
    from papersearch.discovery.vocabulary import Vocabulary

    tokenizer = MecabTokenizer()

    def whole(word: str) -> bool:
        return len(list(tokenizer.morphemes(word))) == 1

    words = Vocabulary({"트랜스포머": 260, "트랜스포머들": 1, "트랜스파일레": 1,
                        "트랜스파일레이션": 1, "탐지": 1, "탐지기": 1,
                        "diffusion": 5, "diffusions": 9})
    assert [w for w, _ in words.complete("트랜스", whole=whole)] == [
        "트랜스포머", "트랜스파일레이션", "트랜스포머들"]
    assert [w for w, _ in words.complete("탐", whole=whole)] == ["탐지", "탐지기"]  # 탐지 is a word
    # Latin words are whole as typed: a plural used more often hides nothing
    assert [w for w, _ in words.complete("diff", whole=whole)] == ["diffusions", "diffusion"]


# -- found in review -------------------------------------------------------------------------

def test_a_moved_file_keeps_its_day_when_pruning(tmp_path: Path) -> None:
    checkout = tmp_path / "digests"
    shutil.copytree(SEEDS, checkout)
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(checkout, prune=True)
        (checkout / "2024").mkdir()
        (checkout / "2024-01-23.md").rename(checkout / "2024" / "2024-01-23.md")
        report = index.add(checkout, prune=True)
        assert report.removed == [] and index.stats().papers == 29
        assert report.count("unchanged") == 2
        # the day now says where it lives: deleting it there removes it
        (checkout / "2024" / "2024-01-23.md").unlink()
        assert len(index.add(checkout, prune=True).removed) == 1


def test_a_relative_source_from_an_older_index_is_never_pruned(tmp_path: Path,
                                                              inside: Path) -> None:
    shutil.copytree(SEEDS, inside / "digests")
    with PaperIndex.create(inside / "ix") as index:
        index.add(inside / "digests")
    ix = windex.open_dir(str(inside / "ix"))  # as papersearch before 2026-12 kept it
    with ix.searcher() as searcher:
        days = [dict(f) for f in searcher.documents(kind="day")]
    writer = ix.writer()
    for fields in days:
        writer.update_document(**{**fields, "source": "digests/" + Path(fields["source"]).name})
    writer.commit()
    ix.close()
    os.chdir(inside / "digests")  # "digests/..." resolved here: digests/digests/..., gone
    with PaperIndex.open(inside / "ix") as index:
        assert index.add(Path("."), prune=True).removed == []
        assert index.stats().papers == 29
        (inside / "digests" / "2024-01-23.md").unlink()  # the places are now recorded
        assert len(index.add(Path("."), prune=True).removed) == 1


def test_index_in_a_subfolder_never_writes_to_a_parent_index(inside: Path) -> None:
    shutil.copytree(SEEDS, inside / "seeds")
    assert run("index", "seeds")[0] == 0  # ./index, 29 papers
    (inside / "proj").mkdir()
    shutil.copy(SEEDS / "2024-03-06.md", inside / "proj" / "2024-03-06.md")
    os.chdir(inside / "proj")
    code, out, _ = run("index", "--rebuild", "2024-03-06.md")
    assert code == 0 and (inside / "proj" / "index").is_dir() and "13 papers" in out
    with PaperIndex.open(inside / "index") as parent:
        assert parent.stats().papers == 29  # untouched


def test_an_interrupted_rebuild_keeps_the_old_index_and_says_so(tmp_path: Path) -> None:
    from papersearch.errors import AddInterrupted

    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(SEEDS / "2024-01-23.md")

    def stop(done: int, total: int, path: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(AddInterrupted) as interrupted:
        PaperIndex.rebuild(tmp_path / "ix", SEEDS, progress=stop)
    assert not interrupted.value.kept and interrupted.value.report.files == []
    with PaperIndex.open(tmp_path / "ix") as index:
        assert index.stats().papers == 16  # as it was
    assert not list(tmp_path.glob(".ix.rebuild*"))


@pytest.mark.parametrize(("typed", "fixed", "sure"), [
    ("difusion", "diffusion", True), ("트랜스포며", "트랜스포머", True),
    ("veo", "seo", False), ("llama4", "llama", False), ("gpt-5o", "gpt-4o", False),
    ("deepseek-r2", "deepseek-r1", False), ("sora2", "sora", False),
    ("트랜스 포머", "트랜스포머", False),
])
def test_only_clear_corrections_are_searched(typed: str, fixed: str, sure: bool) -> None:
    from papersearch.discovery.spelling import confident_correction

    assert confident_correction(typed, fixed) is sure


def test_a_page_past_the_end_of_a_correction_stays_the_correction(seed_index: PaperIndex
                                                                  ) -> None:
    result = seed_index.search("binocularz", offset=50)
    assert result.corrected_from == "binocularz" and result.total == 1 and result.hits == []


def test_a_word_with_a_noun_suffix_is_no_fragment(tmp_path: Path) -> None:
    day = tmp_path / "2024-06-04.md"
    day.write_text(digest("2024-06-04", *[
        entry(f"2406.0010{i}", f"P{i}", [text]) for i, text in enumerate([
            "학습을 다룹니다.", "학습 방법입니다.", "학습자가 배웁니다.", "학습자들이 배웁니다."])]),
        encoding="utf-8")
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(day)
        words = [s.text for s in index.suggest("학습")]
        assert "학습자" in words and "학습자들" in words  # 학습 + 자 is a word, not a piece
