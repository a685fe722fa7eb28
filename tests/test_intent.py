"""Intent words: what a query says about the searcher's wish, not about the paper."""

from __future__ import annotations

from papersearch.analysis import analyze, text_analyzer
from papersearch.search.intent import INTENT_TERMS, is_intent

ANALYZER = text_analyzer()


def test_intent_words_as_the_analyzer_gives_them() -> None:
    # in a sentence, as a query is analyzed (MeCab reads 이용한 alone as one odd noun)
    sentence = "LLM을 이용한 구글에서 나온 환각을 줄이는 방법의 논문 개선 향상이 낫다는"
    terms = analyze(ANALYZER, sentence)
    assert [t for t in terms if not is_intent([t])] == ["llm", "구글", "환각"]


def test_topic_words_are_not_intent() -> None:
    for word in ["환각", "양자화", "강화학습", "비디오", "LLM", "diffusion", "스스로"]:
        assert not is_intent(analyze(ANALYZER, word)), word
    assert not is_intent([])  # a word with no terms is not an intent word either
    assert not is_intent(["방법", "환각"])  # every term must be one


def test_the_list_holds_analyzed_terms() -> None:
    # each entry is what the analyzer makes of itself (a stem, a Porter stem), or the
    # lookup could never match
    for term in INTENT_TERMS:
        assert term == term.strip() and " " not in term
