"""Units of discovery/spelling.py (Speller over a vocabulary written here) and of
search/highlight.py (choosing and cutting the snippet)."""

from __future__ import annotations

import pytest

from papersearch.analysis import MecabTokenizer
from papersearch.discovery.spelling import Speller
from papersearch.discovery.vocabulary import Vocabulary
from papersearch.search.highlight import best_snippet, mark

COUNTS = {"diffusion": 300, "transformer": 250, "강화학습": 73, "트랜스포머": 120,
          "확산": 200, "모델": 900, "veo": 3, "seo": 40, "비전": 50, "언어": 80}


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(Vocabulary(COUNTS), MecabTokenizer())


@pytest.mark.parametrize(("word", "fixed"), [
    ("difusion", "diffusion"),  # a letter missing
    ("transfomer", "transformer"),
    ("강화학즙", "강화학습"),  # one jamo off
    ("트랜스포며를", "트랜스포머를"),  # particles kept
])
def test_correct_word(speller: Speller, word: str, fixed: str) -> None:
    assert speller.correct_word(word) == fixed


@pytest.mark.parametrize("word", ["diffusion", "veo", "모델", "x", "qwertyuiop"])
def test_known_short_or_far_words_are_left_alone(speller: Speller, word: str) -> None:
    assert speller.correct_word(word) is None


def test_split_and_join(speller: Speller) -> None:
    assert speller.split_word("비전언어") == "비전 언어"
    assert speller.split_word("확산") is None  # known: nothing to split
    assert "트랜스포머" in speller.candidates("트랜스 포머")
    assert Speller(Vocabulary({"트랜스": 1, "포머": 1, "트랜스포머": 1}),
                   MecabTokenizer()).candidates("트랜스 포머") == []  # too rare to join


def test_candidates_keep_operators_and_phrases(speller: Speller) -> None:
    assert speller.candidates('difusion -"transfomer x" OR 모델') == [
        'diffusion -"transfomer x" OR 모델']


def test_suggest_takes_the_best_candidate_only_if_it_does_better(speller: Speller) -> None:
    outcomes = {"diffusion transformer": (True, 40)}
    assert speller.suggest("difusion transfomer", (False, 3),
                           lambda q: outcomes.get(q, (False, 0))) == "diffusion transformer"
    assert speller.suggest("difusion transfomer", (True, 50),
                           lambda q: outcomes.get(q, (False, 0))) is None


def spans_of(text: str, *words: str) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        start = text.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    return sorted(spans)


def test_snippet_is_the_line_with_most_distinct_words() -> None:
    text = "확산 확산 확산 이야기.\n확산 모델로 영상을 만든다.\n모델만 있다."
    snippet, spans = best_snippet(text, spans_of(text, "확산", "모델"))
    assert snippet == "확산 모델로 영상을 만든다."
    assert mark(snippet, spans) == "[확산] [모델]로 영상을 만든다."


def test_snippet_ties_go_to_the_first_line_and_no_match_gives_the_lead() -> None:
    text = "첫 줄 모델.\n둘째 줄 모델."
    assert best_snippet(text, spans_of(text, "모델"))[0] == "첫 줄 모델."
    assert best_snippet(text, []) == ("첫 줄 모델.", [])


def test_long_line_is_cut_around_its_first_match_with_offsets_kept() -> None:
    line = " ".join(f"단어{i}" for i in range(120)) + " 확산 모델 " + " ".join(
        f"끝{i}" for i in range(60))
    snippet, spans = best_snippet(line, spans_of(line, "확산"), width=100)
    assert snippet.startswith("…") and snippet.endswith("…") and len(snippet) <= 102
    assert len(spans) == 1 and snippet[spans[0][0]:spans[0][1]] == "확산"
