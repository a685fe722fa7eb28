"""The half-remembered paper and the natural Korean query, on the real corpus.

The examples of the issue "Relevance, round 2", each a failure mode of the analysis or
the query layer, checked on the full shared corpus (skipped when it is absent).
"""

from __future__ import annotations

import re

import pytest

from papersearch import PaperIndex

pytestmark = pytest.mark.corpus


def about(index: PaperIndex, arxiv_id: str, pattern: str) -> bool:
    """Whether a paper's title or summary says ``pattern`` (a regex, any case)."""
    paper = index.get(arxiv_id)
    assert paper is not None
    return re.search(pattern, f"{paper.title}\n{paper.summary}", re.IGNORECASE) is not None


@pytest.mark.parametrize(("query", "pattern"), [
    ("할루시네이션", r"hallucinat|환각|할루시네이션"),
    ("스플래팅", r"splat|스플래팅"),
    ("쿼터니언", r"quaternion|쿼터니언"),
    ("모노큘러", r"monocular|단안|모노큘러"),
    ("스페큘레이티브 디코딩", r"speculative|스페큘|추측"),
    ("임베딩", r"embed|임베딩"),
    ("토크나이저", r"tokeni|토크나이저|토크나이제이션"),
    ("가우시안", r"gaussian|가우시안"),
    ("렉티파이드", r"rectif|렉티파이드"),
])
def test_a_loanword_query_finds_papers_about_that_word(corpus_index: PaperIndex, query: str,
                                                       pattern: str) -> None:
    hits = corpus_index.search(query, limit=10).hits
    # one paper says quaternion; every other word has ten or more
    assert len(hits) == (1 if query == "쿼터니언" else 10)
    assert all(about(corpus_index, h.arxiv_id, pattern) for h in hits), \
        [h.title for h in hits if not about(corpus_index, h.arxiv_id, pattern)]


def test_three_words_back_off_to_partial_matches(corpus_index: PaperIndex) -> None:
    result = corpus_index.search("ViT 토큰 병합", limit=10)
    assert len(result.hits) == 10 and result.partial > 0
    # token-merging papers first: the full match, then those with 토큰 병합 but no "ViT"
    assert all(about(corpus_index, h.arxiv_id, r"merg|병합") for h in result.hits[:5])


@pytest.mark.parametrize(("worded", "plain"), [
    ("LLM을 이용한 코드 생성 벤치마크", "LLM 코드 생성 벤치마크"),
    ("구글에서 나온 비디오 생성 모델", "구글 비디오 생성 모델"),
    ("LLM 환각 줄이는 방법", "LLM 환각"),
    ("MoE 라우팅 개선", "MoE 라우팅"),
])
def test_intent_words_never_decide_what_matches(corpus_index: PaperIndex, worded: str,
                                                plain: str) -> None:
    with_words, without = (corpus_index.search(q, limit=10) for q in (worded, plain))
    assert with_words.total == without.total > 0
    full = {h.arxiv_id for h in corpus_index.search(plain, limit=without.total).hits
            if not h.partial}
    # the worded query shows what the plain one finds, first
    first = [h for h in with_words.hits if not h.partial]
    assert first and {h.arxiv_id for h in first} <= full
    assert with_words.hits[:len(first)] == first


@pytest.mark.parametrize(("query", "arxiv_id", "within"), [
    # Depth Anything writes 레이블, 모노큘러, 기반 모델: reached through label, monocular,
    # foundation model
    ("라벨 없는 대량의 이미지로 학습한 단안 깊이 추정 파운데이션 모델", "2401.10891", 3),
    # BitNet b1.58: "-1 0 1" are numbers, -1 among them, not exclusions (it writes
    # 파라미터, not 가중치, and 삼원수{-1, 0, 1})
    ("가중치를 -1 0 1 세 값으로만 쓰는 LLM", "2402.17764", 3),
])
def test_half_remembered_papers(corpus_index: PaperIndex, query: str, arxiv_id: str,
                                within: int) -> None:
    ranked = [h.arxiv_id for h in corpus_index.search(query, limit=within).hits]
    assert arxiv_id in ranked


def test_author_name_and_topic(corpus_index: PaperIndex) -> None:
    # Song Han's papers, not those of a Han with a Song among the other authors
    hits = corpus_index.search("Song Han 양자화", limit=5).hits
    assert all("Song Han" in h.authors for h in hits[:3])


def test_a_long_author_list_does_not_lower_the_name(corpus_index: PaperIndex) -> None:
    # Being one of thirty authors is being an author, and a second Chen among them does
    # not make a paper more Wenhu Chen's: among one person's papers the name scores
    # alike, and the topic and the votes order them, not the list's length or its names.
    result = corpus_index.search("Wenhu Chen 벤치마크", limit=20, explain=True)
    name: dict[str, set[float]] = {"wenhu": set(), "chen": set(), "wenhu chen": set()}
    lengths = set()
    chens = set()
    for hit in result.hits:
        assert hit.explanation is not None
        if "Wenhu Chen" not in hit.authors:
            continue
        lengths.add(len(hit.authors))
        chens.add(sum(1 for a in hit.authors if a.split()[-1] == "Chen"))
        for t in hit.explanation.terms:
            if t.field == "authors" and t.text in name:
                name[t.text].add(round(t.score, 6))
    assert len(lengths) >= 3  # short and long author lists alike
    assert len(chens) >= 2  # papers with another Chen among the authors, and without
    assert all(len(scores) == 1 for scores in name.values()), name
