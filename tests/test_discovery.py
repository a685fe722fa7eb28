"""Discovery from the library: facets, did-you-mean, prefix suggestions, similar papers."""

from __future__ import annotations

import datetime as dt
import threading
import unicodedata
from pathlib import Path

import pytest

from papersearch import PaperIndex, PaperNotFoundError
from papersearch.analysis import MecabTokenizer, strip_particles, surface_words, words_analyzer
from papersearch.analysis.hangul import compose, decompose, edit_distance, typing_prefixes
from papersearch.discovery.vocabulary import Vocabulary
from papersearch.search.facets import VOTE_BUCKETS

from conftest import DigestWriter
from helpers import digest, entry

# -- the pieces, alone ------------------------------------------------------------------


def test_surface_words_are_eojeol_less_particles() -> None:
    words = surface_words(words_analyzer(), "강화학습을 활용한 대규모 언어 모델(LLM)의 GPT-4V, 효율적인 방법")
    assert words == ["강화학습", "활용", "대규모", "언어", "모델", "llm", "gpt-4v", "효율적", "방법"]


def test_strip_particles_takes_only_trailing_particles() -> None:
    tokenizer = MecabTokenizer()
    assert strip_particles(tokenizer, "트랜스포며를") == ("트랜스포며", "를")
    assert strip_particles(tokenizer, "LLM을") == ("LLM", "을")
    assert strip_particles(tokenizer, "모델") == ("모델", "")


def test_jamo_distance_sees_one_jamo_typos_as_one_edit() -> None:
    assert edit_distance(decompose("트랜스포며"), decompose("트랜스포머")) == 1
    assert edit_distance(decompose("강화학즙"), decompose("강화학습")) == 1
    assert edit_distance("difusion", "diffusion") == 1
    assert edit_distance("tranfsormer", "transformer") == 1  # a swap is one edit
    assert edit_distance("abc", "xyz", limit=2) == 3  # capped
    assert compose(decompose("강화학습")) == "강화학습"
    assert decompose("ㅎ") == decompose("하")[:1]  # a lone keyboard jamo is an initial


def test_half_typed_syllables_lead_on() -> None:
    # 강화핛: ㄱ and ㅅ typed after 하, on the way to 강화학습
    assert decompose("강화학ㅅ") in typing_prefixes("강화핛")
    vocabulary = Vocabulary({"강화학습": 70, "강화": 700, "강아지": 3, "가우시안": 40})
    for typed in ("강화", "강화하", "강화학", "강화핛"):
        assert "강화학습" in [w for w, _ in vocabulary.complete(typed)], typed
    # 가+ㅇ shows as 강 on the way to 가우시안; most used first
    assert [w for w, _ in vocabulary.complete("강")] == ["강화", "강화학습", "가우시안", "강아지"]
    assert vocabulary.complete("xyz") == []


def test_vocabulary_near_prefers_closer_then_more_used() -> None:
    vocabulary = Vocabulary({"diffusion": 700, "diffusive": 2, "fusion": 50, "difusion": 1})
    near = vocabulary.near("difusion")
    assert near[0] == ("diffusion", 1, 700)
    assert "difusion" not in [w for w, _, _ in near]
    assert vocabulary.near("qqqqqqqq") == []


# -- facets -----------------------------------------------------------------------------

def test_facets_count_every_match(seed_index: PaperIndex) -> None:
    result = seed_index.search("확산", limit=1)
    assert result.facets is not None and result.total > 3
    facets = result.facets
    assert sum(b.count for b in facets.votes) + facets.unknown_votes == result.total
    assert [m.value for m in facets.months] == ["2024-03", "2024-01"]
    assert sum(m.count for m in facets.months) == result.total  # each seed paper: one day
    assert facets.authors == sorted(facets.authors, key=lambda a: (-a.count, a.value))
    assert [(b.min_votes, b.max_votes) for b in facets.votes] == list(VOTE_BUCKETS)


def test_each_facet_count_is_what_its_filter_finds(seed_index: PaperIndex) -> None:
    query = "모델"
    facets = seed_index.search(query).facets
    assert facets is not None
    march = next(m for m in facets.months if m.value == "2024-03")
    filtered = seed_index.search(query, since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 31),
                                 limit=100)
    assert filtered.total == march.count
    assert all(h.dates[-1].month == 3 for h in filtered)
    top_author = facets.authors[0]
    by_author = seed_index.search(query, author=top_author.value.upper(), limit=100)
    assert by_author.total == top_author.count
    assert all(top_author.value in h.authors for h in by_author)
    for bucket in facets.votes:
        found = seed_index.search(query, min_votes=bucket.min_votes, max_votes=bucket.max_votes,
                                  limit=100)
        assert found.total == bucket.count, bucket
        assert all(h.votes is not None and bucket.min_votes <= h.votes
                   and (bucket.max_votes is None or h.votes <= bucket.max_votes) for h in found)


def test_facets_of_a_paper_listed_in_two_months(tmp_path: Path,
                                                write_digest: DigestWriter) -> None:
    paper = entry("2401.00001", "Diffusion twice", ["확산 모델을 다시 소개합니다."], votes=12,
                  authors="Kim Minji, Lee Jisoo")
    write_digest("a.md", digest("2024-01-31", paper))
    write_digest("b.md", digest("2024-03-02", paper))
    write_digest("c.md", digest("2024-02-10", entry("2402.00002", "Other", ["확산 이야기."],
                                                       votes=None, authors="Park Bo")))
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(tmp_path / "digests")
        facets = index.search("확산").facets
        assert facets is not None
        assert {(m.value, m.count) for m in facets.months} == {
            ("2024-01", 1), ("2024-02", 1), ("2024-03", 1)}
        assert facets.unknown_votes == 1
        assert [(b.value, b.count) for b in facets.votes if b.count] == [("10-19", 1)]
        # the paper was not listed in February: the month filter agrees with the facet
        feb = index.search("확산", since=dt.date(2024, 2, 1), until=dt.date(2024, 2, 29))
        assert [h.arxiv_id for h in feb] == ["2402.00002"]
        assert index.search("확산", max_votes=100).total == 1  # unknown votes left out
        assert index.search("확산", facets=False).facets is None


# -- did-you-mean -----------------------------------------------------------------------

@pytest.mark.corpus
@pytest.mark.parametrize(("typed", "meant"), [
    ("트랜스포며", "트랜스포머"),            # one jamo off (ㅕ for ㅓ)
    ("강화학즙을", "강화학습을"),            # one jamo off, particle kept
    ("difusion models", "diffusion models"),  # a letter missing
    ("tranformer 기반 언어모델", "transformer 기반 언어모델"),
    ("트랜스 포머", "트랜스포머"),           # spacing: papers write it as one word
    ("author:Kim 학즙", "author:Kim 학습"),  # syntax around the word is kept
])
def test_did_you_mean_on_the_corpus(corpus_index: PaperIndex, typed: str, meant: str) -> None:
    result = corpus_index.search(typed, correct=False)
    assert result.did_you_mean == meant
    better = corpus_index.search(meant)
    assert not better.relaxed and not better.ignored_terms and better.total > 0


@pytest.mark.corpus
@pytest.mark.parametrize("query", ["확산 모델", "강화 학습", "강화학습", "diffusion", "Kaiming He"])
def test_no_suggestion_for_a_query_that_works(corpus_index: PaperIndex, query: str) -> None:
    assert corpus_index.search(query).did_you_mean is None


def test_did_you_mean_is_none_when_nothing_is_close(seed_index: PaperIndex) -> None:
    result = seed_index.search("qwxzv")
    assert result.total == 0 and result.did_you_mean is None
    assert seed_index.search("qwxzv", did_you_mean=False).did_you_mean is None


def test_did_you_mean_on_the_seeds(seed_index: PaperIndex) -> None:
    assert seed_index.search("Binocularz", correct=False).did_you_mean == "binoculars"
    # an author's name
    assert seed_index.search("Goldstien", correct=False).did_you_mean == "goldstein"
    assert [s.text for s in seed_index.suggest("goldst")] == ["goldstein"]
    assert seed_index.search("확산 모델 Binocularz").did_you_mean == "확산 모델 binoculars"


# -- suggestions ------------------------------------------------------------------------

@pytest.mark.corpus
def test_suggest_ranks_by_papers_korean_and_english(corpus_index: PaperIndex) -> None:
    english = corpus_index.suggest("diff", 5)
    assert english[0].text == "diffusion"
    assert [s.papers for s in english] == sorted((s.papers for s in english), reverse=True)
    assert all(s.text.startswith("diff") for s in english)
    for typed in ("강화", "강화하", "강화핛"):
        assert "강화학습" in [s.text for s in corpus_index.suggest(typed)], typed
    assert corpus_index.suggest("트랜")[0].text == "트랜스포머"
    # words before the last are kept; NFD input (macOS) is read as NFC
    assert corpus_index.suggest(unicodedata.normalize("NFD", "확산 모"))[0].text == "확산 모델"
    assert corpus_index.suggest("") == [] and corpus_index.suggest("확산 ") == []


def test_suggest_sees_new_words_after_an_add(tmp_path: Path, write_digest: DigestWriter) -> None:
    write_digest("a.md", digest("2024-01-02", entry("2401.00001", "Alpha", ["확산 모델입니다."])))
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(tmp_path / "digests")
        assert index.suggest("쿼터니언") == []
        write_digest("b.md", digest("2024-01-03", entry(
            "2401.00002", "Quaternion nets", ["쿼터니언 신경망을 제안합니다.", "쿼터니언 연산."])))
        index.add(tmp_path / "digests")
        assert [(s.text, s.papers) for s in index.suggest("쿼터")] == [("쿼터니언", 1)]
        assert [s.text for s in index.suggest("quat")] == ["quaternion"]


def test_suggest_forgets_words_of_replaced_papers(tmp_path: Path,
                                                  write_digest: DigestWriter) -> None:
    path = write_digest("a.md", digest("2024-01-02", entry("2401.00001", "Alpha", ["쿼터니언 신경망."]),
                                       entry("2401.00002", "Beta", ["확산 모델."])))
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(path)
        assert [s.text for s in index.suggest("쿼터")] == ["쿼터니언"]
        path.write_text(digest("2024-01-02", entry("2401.00001", "Alpha", ["하이퍼네트워크."]),
                               entry("2401.00002", "Beta", ["확산 모델."])), encoding="utf-8")
        assert index.add(path).count("updated") == 1
        assert index.suggest("쿼터") == []  # the old version of the paper is deleted
        assert [s.text for s in index.suggest("하이퍼")] == ["하이퍼네트워크"]
        assert [(s.text, s.papers) for s in index.suggest("확산")] == [("확산", 1)]


def test_bullet_labels_are_not_words(tmp_path: Path, write_digest: DigestWriter) -> None:
    write_digest("a.md", digest("2024-01-02", entry("2401.00001", "Alpha", [
        "***What's New***: 새로운 추적 방법을 제안합니다.",
        "***Technical Details***: 픽셀 추적 technique를 씁니다."])))
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(tmp_path / "digests")
        assert [s.text for s in index.suggest("techn")] == ["technique"]
        assert index.suggest("what") == [] and index.suggest("detail") == []
        assert [s.text for s in index.suggest("추")] == ["추적"]


def test_suggest_from_many_threads(seed_index: PaperIndex) -> None:
    expected = [s.text for s in seed_index.suggest("확", 5)]
    assert expected
    failures: list[object] = []

    def worker() -> None:
        for _ in range(20):
            got = [s.text for s in seed_index.suggest("확", 5)]
            if got != expected:
                failures.append(got)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


# -- similar papers ---------------------------------------------------------------------

def test_similar_on_the_seeds(seed_index: PaperIndex) -> None:
    result = seed_index.similar("2401.12070", 5)
    assert result.title.startswith("Spotting LLMs With Binoculars")
    ids = [h.arxiv_id for h in result]
    assert "2401.12070" not in ids and 0 < len(ids) <= 5
    assert [h.score for h in result] == sorted((h.score for h in result), reverse=True)
    assert result.terms and all(len(t) > 1 or not t.isalpha() for t in result.terms[:5])
    assert seed_index.similar("arXiv:2401.12070v2", 5).hits == result.hits


def test_similar_with_no_neighbours(tmp_path: Path, write_digest: DigestWriter) -> None:
    write_digest("a.md", digest("2024-01-02", entry("2401.00001", "Alpha", ["확산 모델입니다."])))
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(tmp_path / "digests")
        result = index.similar("2401.00001")  # every term is this paper's alone
        assert result.hits == [] and result.terms == []


def test_similar_unknown_paper(seed_index: PaperIndex) -> None:
    with pytest.raises(PaperNotFoundError, match=r"9999\.99999"):
        seed_index.similar("9999.99999")


@pytest.mark.corpus
def test_similar_on_the_corpus_finds_the_same_topic(corpus_index: PaperIndex) -> None:
    # Binoculars (machine-generated text detection): its neighbours detect generated text
    neighbours = corpus_index.similar("2401.12070", 5)
    assert sum("detect" in h.title.lower() for h in neighbours) >= 3
    # Korean-only evidence counts too: the Rectified Flow paper's neighbours are rectified flows
    flows = corpus_index.similar("2403.03206", 5)
    assert sum("rectified" in h.title.lower() for h in flows) >= 4
