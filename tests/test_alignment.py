"""Korean summary words aligned with English title words (papersearch/search/alignment.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from papersearch import PaperIndex
from papersearch.cli import main
from papersearch.search import alignment
from papersearch.search.alignment import FILE_NAME, Alignment, stored_alignment
from papersearch.search.ranking import Ranking

from helpers import SEEDS


def _translations(index: PaperIndex, query: str, **ranking: bool) -> set[tuple[str, str]]:
    """(translation, of which word) pairs in the explanations of a query's top hits."""
    result = index.search(query, limit=10, explain=True, ranking=Ranking(**ranking))
    return {(term.text, term.translation_of or "") for hit in result.hits
            for term in hit.explanation.terms if term.translation_of}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def counted(corpus_index: PaperIndex) -> Alignment:
    """The corpus's pairs, counted once for the tests that read them."""
    with corpus_index.reading() as lease:
        return Alignment.count(lease.searcher.reader())


def test_everyday_words_reach_the_english_titles(counted: Alignment) -> None:
    # The digests rarely gloss 추론 or 시각, so the mined glossary has no English for them;
    # the titles of the papers that use them do.
    alignment = counted
    assert alignment.get(("추론",)) == [("reason",)]
    assert alignment.get(("시각",)) == [("visual",)]
    assert alignment.get(("음성",)) == [("speech",)]
    # two words in most papers are not a pair, however often they meet
    assert alignment.get(("학습",)) == []
    assert "model" not in alignment.pairs.values()
    assert alignment.get(("추론", "능력")) == []  # one word at a time
    assert len(alignment) > 200


def test_a_loanword_goes_with_the_title_word_it_spells(counted: Alignment) -> None:
    # Titles of papers that say 라우팅 say "mixture" (of experts) more often than
    # "routing", and those that say 프롬프트 say "text" more than "prompt": by Dice
    # alone, the loanword went with its topic, not with the word it spells.
    alignment = counted
    assert alignment.get(("라우팅",)) == [("rout",)]
    assert alignment.get(("프롬프트",)) == [("prompt",)]
    assert alignment.get(("렌더링",)) == [("render",)]
    # a native word whose sound only starts like a title word keeps its translation
    assert alignment.get(("추론",)) == [("reason",)]
    assert alignment.get(("분석",)) != [("financi",)]
    assert alignment.get(("기술",)) != [("gs",)]


def test_a_one_syllable_term_pairs_only_with_the_word_it_spells(counted: Alignment) -> None:
    # 구글 is split 구 + 글 in some summaries, so 글 (writing) met Gemini in the titles of
    # Google's papers; 화 (a piece of 세분화) met segmentation. Such pairs translated
    # every 글 and 화 of a query.
    alignment = counted
    for piece in ("글", "구", "가", "화", "동", "학"):
        assert alignment.get((piece,)) == [], piece
    assert alignment.get(("웹",)) == [("web",)]
    assert alignment.get(("툴",)) == [("tool",)]
    assert {k for k in alignment.pairs if len(k) == 1} <= {"웹", "뷰", "툴", "샷"}
    # nor is a one-letter title term a word: 3D is 3 + d, and 표현 (representation) -> d
    # matched every 3D title
    assert all(len(english) > 1 for english in alignment.pairs.values())


def test_counting_a_slice_at_a_time_changes_nothing(corpus_index: PaperIndex,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with corpus_index.reading() as lease:
        reader = lease.searcher.reader()
        whole = Alignment.count(reader).pairs
        monkeypatch.setattr(alignment, "PAIRS_AT_ONCE", 5_000)  # many slices
        assert Alignment.count(reader).pairs == whole


def test_a_korean_query_finds_the_titles_and_says_so(corpus_index: PaperIndex) -> None:
    found = _translations(corpus_index, "시각 추론 평가")
    assert ("reason", "추론") in found
    assert ("visual", "시각") in found
    assert not {t for t, _ in _translations(corpus_index, "시각 추론 평가", aligned=False)} & {
        "reason", "visual"}


def test_the_index_keeps_its_pairs_in_a_file(corpus_index: PaperIndex) -> None:
    # written by the add that built the index (it changed more than a tenth of the papers)
    path = corpus_index.path / FILE_NAME
    kept = Alignment.from_json(path.read_text(encoding="utf-8"))
    with corpus_index.reading() as lease:
        assert kept.pairs == Alignment.count(lease.searcher.reader()).pairs


def test_a_damaged_or_foreign_file_is_counted_again(corpus_index: PaperIndex,
                                                   tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    with corpus_index.reading() as lease:
        reader = lease.searcher.reader()
        expected = Alignment.count(reader).pairs
        path.write_text("{not json", encoding="utf-8")
        assert stored_alignment(tmp_path, reader).pairs == expected
        assert Alignment.from_json(path.read_text(encoding="utf-8")).pairs == expected
        # another papersearch's file: its pairs may mean something else
        data = json.loads(path.read_text(encoding="utf-8"))
        data["version"], data["pairs"] = "0.0.0", {"추론": "wrong"}
        path.write_text(json.dumps(data), encoding="utf-8")
        assert stored_alignment(tmp_path, reader).pairs == expected
        # a file of this papersearch is used as it is, even if counted at an earlier version
        data = json.loads(path.read_text(encoding="utf-8"))
        data["pairs"] = {"추론": "infer"}
        path.write_text(json.dumps(data), encoding="utf-8")
        assert stored_alignment(tmp_path, reader).get(("추론",)) == [("infer",)]
        assert stored_alignment(tmp_path, reader, refresh=True).pairs == expected
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no temporary files left


def test_an_unwritable_index_directory_still_aligns(corpus_index: PaperIndex,
                                                    tmp_path: Path) -> None:
    nowhere = tmp_path / "gone"  # writing there fails as in a read-only directory, even as root
    with corpus_index.reading() as lease:
        assert stored_alignment(nowhere, lease.searcher.reader()).get(("추론",))
    assert not nowhere.exists()


def test_a_small_index_has_no_pairs(seed_index: PaperIndex) -> None:
    with seed_index.reading() as lease:
        assert len(Alignment.count(lease.searcher.reader())) == 0
    assert seed_index.search("확산 모델").total > 0


def test_an_add_says_when_it_counts_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "index"
    result = CliRunner().invoke(main, ["index", str(SEEDS), "--index", str(path)])
    assert result.exit_code == 0, result.output
    assert "Keeping the vocabulary and the title words Korean words go with..." in result.stderr
    kept = Alignment.from_json((path / FILE_NAME).read_text(encoding="utf-8"))
    assert kept.papers == 29 and len(kept) == 0  # too few papers to count pairs in
    # adding the same files again changes nothing, so nothing is counted again
    again = CliRunner().invoke(main, ["index", str(SEEDS), "--index", str(path)])
    assert again.exit_code == 0 and "Keeping" not in again.stderr
