"""A Korean word and its translations count about once in a query that names its topic in
English (papersearch/search/bestof.py, Ranking.mixed_tie)."""

from __future__ import annotations

import math

import pytest

from papersearch import PaperIndex
from papersearch.search.bestof import BestOf, best_of
from papersearch.search.compiler import names_topic_in_english
from papersearch.search.query import parse_query
from papersearch.search.querytree import positive_leaves, translation_of, walk
from papersearch.search.ranking import Ranking


def test_best_of_is_the_best_plus_a_share_of_the_others() -> None:
    assert best_of([], 0.3) == 0.0
    assert best_of([4.0], 0.3) == 4.0
    assert math.isclose(best_of([2.0, 6.0, 1.0], 0.3), 6.0 + 0.3 * 3.0)
    assert math.isclose(best_of([2.0, 6.0], 1.0), 8.0)  # tie 1: added up
    assert best_of([2.0, 6.0], 0.0) == 6.0  # tie 0: the best alone


@pytest.mark.parametrize(("query", "english"), [
    ("LoRA로 효율적인 미세조정", True),
    ("GPT-4V 시각 추론 평가", True),
    ("diffusion 모델 샘플링 가속", True),
    ("3D Gaussian Splatting 아바타", True),
    ("DeepSeek MoE 라우팅", True),
    ("Wenhu Chen 벤치마크", False),  # a person's name is not a topic
    ("Daniel Cohen-Or 이미지 편집", False),
    ("Yann LeCun", False),
    ("대규모 언어 모델의 환각을 줄이는 방법", False),
    ("2백만 토큰", False),  # a number with a Korean unit
    ("확산 모델 -GAN", False),  # an excluded word names nothing wanted
    ("authors:Chen 벤치마크", False),  # a word limited to the authors is a name
    ("title:diffusion 가속", True),
])
def test_which_queries_name_their_topic_in_english(query: str, english: bool) -> None:
    assert names_topic_in_english(parse_query(query).root) is english


def best_ofs(index: PaperIndex, query: str, ranking: Ranking | None = None
              ) -> list[BestOf]:
    with index.reading() as lease:
        plan = index.plan(query, lease=lease, ranking=ranking)
    return [part for clause in plan.clauses for part in walk(clause.query)
            if isinstance(part, BestOf)]


def test_only_such_queries_take_the_best_of_a_word_and_its_translations(
        corpus_index: PaperIndex) -> None:
    found = best_ofs(corpus_index, "LoRA로 효율적인 미세조정")
    assert found and all(q.tie == Ranking().mixed_tie for q in found)
    assert not best_ofs(corpus_index, "효율적인 미세조정")  # all Korean: added up
    assert not best_ofs(corpus_index, "Wenhu Chen 벤치마크")
    # an English stop word searches nothing and names no topic
    assert not best_ofs(corpus_index, "the 미세조정 효율")
    # two capitalized words are a name only if authors have them: no one is Gaussian
    assert best_ofs(corpus_index, "Gaussian Splatting 아바타")
    assert not names_topic_in_english(parse_query("Gaussian Splatting 아바타").root)
    # tie 1.0 is the old sum, and needs no BestOf at all
    assert not best_ofs(corpus_index, "LoRA로 효율적인 미세조정", Ranking(mixed_tie=1.0))


def leaf_boosts(index: PaperIndex, query: str) -> dict[str, float]:
    """The boost of each translation leaf of the query's run translations, by its terms."""
    with index.reading() as lease:
        plan = index.plan(query, lease=lease)
    return {" ".join(getattr(leaf, "words", None) or [leaf.text]): leaf.boost
            for extra, _ in plan.extras for leaf in positive_leaves(extra)
            if translation_of(leaf) is not None}


def test_a_run_translation_weighs_the_tie_too(corpus_index: PaperIndex) -> None:
    # 보상 모델 -> reward model is one more way of saying two words: in a query that
    # names its topic in English it weighs mixed_tie, like a word's own translations
    korean = leaf_boosts(corpus_index, "보상 모델")
    mixed = leaf_boosts(corpus_index, "보상 모델 LLM")
    assert "reward model" in korean and korean.keys() == mixed.keys()
    for terms, boost in korean.items():
        assert mixed[terms] == pytest.approx(boost * Ranking().mixed_tie), terms


@pytest.mark.parametrize(("query", "topic"), [
    ("LoRA로 효율적인 미세조정", ("lora", "low-rank")),
    ("DPO 선호도 학습", ("dpo",)),
])
def test_the_english_word_that_names_the_topic_leads(corpus_index: PaperIndex, query: str,
                                                     topic: tuple[str, ...]) -> None:
    def on_topic(ranking: Ranking) -> int:
        hits = corpus_index.search(query, limit=8, ranking=ranking).hits
        return sum(any(t in hit.title.lower() for t in topic) for hit in hits)

    # Added up, 미세조정 + finetun (or 선호도 + prefer) outweighed LoRA (DPO), and papers
    # about fine-tuning (preferences) in general came first.
    assert on_topic(Ranking()) >= 5
    assert on_topic(Ranking()) > on_topic(Ranking(mixed_tie=1.0))


@pytest.mark.parametrize("query", [
    "LoRA로 효율적인 미세조정",
    # 강화학습 is 강화 AND 학습: a paper with 학습 but not 강화 gets nothing for it
    "LLM 강화학습 미세조정 보상",
    "diffusion 강화학습 미세조정",
])
def test_explanations_add_up_to_the_score(corpus_index: PaperIndex, query: str) -> None:
    result = corpus_index.search(query, limit=20, explain=True)
    # the translations are there, with their share of the score
    assert any(t.translation_of for hit in result.hits
               for t in hit.explanation.terms)  # type: ignore[union-attr]
    for hit in result.hits:
        explanation = hit.explanation
        assert explanation is not None
        assert math.isclose(sum(t.score for t in explanation.terms) * explanation.coordination,
                            explanation.text_score, rel_tol=1e-9)
        assert math.isclose(explanation.score, hit.score, rel_tol=1e-6)
