"""Searching the seed index: the queries users type, filters, sorting, ranking, highlights."""

from __future__ import annotations

import datetime as dt
import threading
import unicodedata
from pathlib import Path

import pytest

from papersearch import PaperIndex, QueryError
from papersearch.search.query import MAX_QUERY_CHARS, And, Not, Or, Word, parse_query
from papersearch.search.ranking import DEFAULT_VOTE_WEIGHT, UNKNOWN_VOTES, Ranking, vote_factor

from conftest import DigestWriter
from helpers import digest, entry


def top(index: PaperIndex, query: str, **kw: object) -> list[str]:
    """The papers matching the whole query, in rank order (not those after them that
    match only part of it)."""
    return [h.arxiv_id for h in index.search(query, **kw)  # type: ignore[arg-type]
            if not h.partial]


# -- the queries from the definition of done ------------------------------------

@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("기계 생성 텍스트 탐지", "2401.12070"),
        ("rectifying flows", "2403.03206"),
        ("데이터 없이 양자화", "2403.02775"),
    ],
)
def test_known_queries_rank_the_right_paper_first(seed_index: PaperIndex, query: str,
                                                  first: str) -> None:
    assert top(seed_index, query)[0] == first


def test_author_name_finds_paper(seed_index: PaperIndex) -> None:
    assert top(seed_index, "Tom Goldstein") == ["2401.12070"]
    # two words that are one author's name rank that author's papers above papers whose
    # authors merely include the two words apart
    assert seed_index.search("Tom Goldstein").hits[0].arxiv_id == "2401.12070"
    assert top(seed_index, "goldstein") == ["2401.12070"]
    assert top(seed_index, 'author:"Tom Goldstein"') == ["2401.12070"]
    # A phrase never spans two authors ("... Tom Goldstein, Hamid Kazemi").
    assert top(seed_index, 'author:"Goldstein Hamid"') == []


def test_korean_particles_and_spacing(seed_index: PaperIndex) -> None:
    assert "2401.12070" in top(seed_index, "텍스트를 탐지하는")
    spaced, glued = top(seed_index, "확산 모델", limit=50), top(seed_index, "확산모델", limit=50)
    assert spaced == glued and "2401.11739" in spaced


def test_mixed_korean_and_english(seed_index: PaperIndex) -> None:
    assert top(seed_index, "LLM 탐지기")[0] == "2401.12070"
    assert "2401.11944" in top(seed_index, "GPT-4V의 정확도")


def test_nfd_query(seed_index: PaperIndex) -> None:
    nfd = unicodedata.normalize("NFD", "기계 생성 텍스트 탐지")
    assert top(seed_index, nfd)[0] == "2401.12070"


def test_id_lookup(seed_index: PaperIndex) -> None:
    assert top(seed_index, "2401.12070") == ["2401.12070"]
    assert top(seed_index, "id:2403.03206") == ["2403.03206"]
    assert top(seed_index, "arXiv:2403.03206v2") == ["2403.03206"]


# -- query language ------------------------------------------------------------------------

def test_parse_query_tree() -> None:
    root = parse_query('"rectified flow" OR diffusion -video title:(a b)').root
    assert root == Or((Word("rectified flow", phrase=True), And((
        Word("diffusion"), Not(Word("video")),
        And((Word("a", field="title"), Word("b", field="title")))))))


def test_and_semantics_and_missing_word(seed_index: PaperIndex) -> None:
    both = set(top(seed_index, "확산 음악", limit=50))
    assert both == {"2401.12179"}  # DITTO: music diffusion; AND of the two words
    result = seed_index.search("확산 음악 qwxyzzy")
    assert result.ignored_terms == ["qwxyzzy"] and not result.relaxed
    assert {h.arxiv_id for h in result if not h.partial} == both


def test_partial_matches_follow_the_full_ones(seed_index: PaperIndex) -> None:
    # One paper has both words; the limit is filled with papers that have one of them,
    # after it, marked and counted apart.
    result = seed_index.search("확산 음악", limit=5)
    assert result.total == 1 and result.partial > 4 and not result.relaxed
    assert [h.partial for h in result] == [False, True, True, True, True]
    assert all(h.score <= result.hits[1].score for h in result.hits[1:])
    assert any("1 paper matches the whole query" in note for note in result.notes)
    # a paper that has one word is not shown as a full match of the other query
    assert {h.arxiv_id for h in result.hits[1:]}.isdisjoint({"2401.12179"})
    # with enough full matches, nothing partial is shown
    assert not any(h.partial for h in seed_index.search("확산", limit=5))


def test_intent_words_add_but_never_decide(seed_index: PaperIndex) -> None:
    # 연구, 방법, 이용한 say what the user wants, not what the paper is about
    plain = seed_index.search("기계 생성 텍스트 탐지", limit=5)
    worded = seed_index.search("기계 생성 텍스트를 탐지하는 방법을 이용한 연구", limit=5)
    assert worded.total == plain.total
    assert worded.hits[0].arxiv_id == plain.hits[0].arxiv_id == "2401.12070"
    explained = seed_index.search("확산 모델을 이용한 방법", explain=True, limit=3)
    optional = {t.text for h in explained for t in (h.explanation.terms if h.explanation
                                                     else []) if t.optional}
    assert optional and optional <= {"이용", "방법"}
    # a query of nothing but intent words still searches for them
    assert seed_index.search("방법").total > 0


def test_intent_words_weigh_intent_weight(seed_index: PaperIndex) -> None:
    # The weight reaches intent words in every field, title+summary (one BM25F term)
    # included: there it used to be lost, so 방법 scored like a topic word.
    def intent_score(weight: float) -> float:
        ranking = Ranking(intent_weight=weight)
        hit = seed_index.search("확산 모델을 이용한 방법", explain=True, limit=1,
                                ranking=ranking).hits[0]
        assert hit.explanation is not None
        return sum(t.score for t in hit.explanation.terms if t.optional)

    full = intent_score(1.0)
    assert full > 0
    assert intent_score(0.5) == pytest.approx(full * 0.5)
    assert intent_score(0.25) == pytest.approx(full * 0.25)


def test_negative_numbers_are_numbers_not_exclusions() -> None:
    root = parse_query("가중치를 -1 0 1 세 값으로").root
    assert isinstance(root, And) and not any(isinstance(c, Not) for c in root.children)
    assert Word("-1") in root.children
    assert parse_query("-video -0.5").root == And((Not(Word("video")), Word("-0.5")))


def test_relaxed_when_no_paper_has_every_word(seed_index: PaperIndex) -> None:
    result = seed_index.search("Binoculars 양자화", limit=50)
    assert result.relaxed
    found = {h.arxiv_id for h in result}
    assert {"2401.12070", "2403.02775"} <= found


def test_or_not_and_phrase(seed_index: PaperIndex) -> None:
    diffusion = set(top(seed_index, "diffusion", limit=50))
    no_music = set(top(seed_index, "diffusion -music", limit=50))
    assert no_music == diffusion - {"2401.12179"} and no_music
    assert set(top(seed_index, "Binoculars OR EasyQuant", limit=50)) == {"2401.12070",
                                                                        "2403.02775"}
    assert set(top(seed_index, "NOT diffusion", limit=50)).isdisjoint(diffusion)
    assert top(seed_index, '"rectified flow"')[0] == "2403.03206"
    assert top(seed_index, '"flow rectified"') == []


def test_negation_inside_or_matches_papers_only(seed_index: PaperIndex) -> None:
    result = seed_index.search('NOT "0" OR "0"', limit=100)
    assert result.total == 29  # every paper, and no day or meta document
    result = seed_index.search("(NOT diffusion) OR Binoculars", limit=100)
    diffusion = set(top(seed_index, "diffusion", limit=50))
    assert {h.arxiv_id for h in result} == (
        {h.arxiv_id for h in seed_index.search("", since=dt.date(2000, 1, 1), limit=100)}
        - diffusion) | {"2401.12070"}


def test_field_prefixes(seed_index: PaperIndex) -> None:
    titles = top(seed_index, "title:diffusion", limit=50)
    assert "2401.11605" in titles
    # In a summary only (not the title) is not enough for title:.
    assert set(titles) < set(top(seed_index, "diffusion", limit=50))


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "((((확산", "확산)))", "OR", "NOT", "-", "- -", "AND OR NOT", "title:",
     "foo:bar", "title:(", '"', "()", "확산 OR", "\x00\x07\x1b[31m확산", "확산\tmodel\n",
     "***", "a*", "*", "?", "\\", "id:", "author:()", "-(-(-확산))", "🙂", "\ud800",
     "의", "NOT NOT NOT 확산", "(" * 200 + "확산", '"' * 999],
)
def test_malformed_queries_never_crash(seed_index: PaperIndex, query: str) -> None:
    result = seed_index.search(query)
    assert result.total >= 0 and len(result.hits) <= 10


def test_lenient_reading_is_reported(seed_index: PaperIndex) -> None:
    result = seed_index.search('((확산 "모델')
    assert result.total > 0
    assert result.notes == ["unbalanced '(' closed at the end",
                            "unbalanced '\"': the phrase runs to the end"]
    assert seed_index.search("확산 모델").notes == []


def test_control_characters_are_spaces(seed_index: PaperIndex) -> None:
    assert top(seed_index, "기계\x00생성\x1f텍스트\x07탐지")[0] == "2401.12070"


def test_oversized_query_is_refused_with_a_clear_message(seed_index: PaperIndex) -> None:
    with pytest.raises(QueryError, match="too long") as raised:
        seed_index.search("확산 모델" * 2000)
    assert "10,000 characters" in str(raised.value)
    assert MAX_QUERY_CHARS < 10_000
    with pytest.raises(QueryError, match="too many terms"):
        seed_index.search(" ".join(f"w{i}" for i in range(100)))


# -- filters and sorting -----------------------------------------------------------------------

def test_date_filters(seed_index: PaperIndex) -> None:
    march = seed_index.search("모델", since=dt.date(2024, 3, 1), limit=100)
    january = seed_index.search("모델", until=dt.date(2024, 1, 31), limit=100)
    everything = seed_index.search("모델", limit=100)
    assert march.total + january.total == everything.total
    assert all(h.dates[-1] >= dt.date(2024, 3, 1) for h in march)
    assert all(h.dates[0] <= dt.date(2024, 1, 31) for h in january)
    assert seed_index.search("모델", since=dt.date(2024, 1, 24), until=dt.date(2024, 3, 5)).total == 0


def test_min_votes(seed_index: PaperIndex) -> None:
    result = seed_index.search("모델", min_votes=20, limit=100)
    assert result.total > 0 and all(h.votes is not None and h.votes >= 20 for h in result)


def test_filters_without_words(seed_index: PaperIndex) -> None:
    result = seed_index.search("", since=dt.date(2024, 3, 6), limit=100)
    assert result.total == 13


def test_sort_by_votes_and_date(seed_index: PaperIndex) -> None:
    by_votes = seed_index.search("모델", sort="votes", limit=100)
    votes = [h.votes if h.votes is not None else -1 for h in by_votes]
    assert votes == sorted(votes, reverse=True) and len(votes) > 5
    by_date = seed_index.search("모델", sort="date", limit=100)
    dates = [h.dates[-1] for h in by_date]
    assert dates == sorted(dates, reverse=True) and dates[0] > dates[-1]
    with pytest.raises(ValueError, match="sort"):
        seed_index.search("모델", sort="random")  # type: ignore[arg-type]


# -- ranking ---------------------------------------------------------------------------------------

def test_sorted_searches_do_not_change_later_scores(seed_index: PaperIndex) -> None:
    expected = [(h.arxiv_id, h.score) for h in seed_index.search("확산 모델")]
    fresh = PaperIndex.open(seed_index.path)
    try:
        fresh.search("", since=dt.date(2024, 1, 1))  # sorted: scored segment by segment
        fresh.search("확산", sort="votes")
        assert [(h.arxiv_id, h.score) for h in fresh.search("확산 모델")] == expected
    finally:
        fresh.close()


def test_vote_factor_bounds() -> None:
    assert vote_factor(0) == 1.0
    assert vote_factor(None) == vote_factor(-1) == vote_factor(UNKNOWN_VOTES)
    assert 1.0 < vote_factor(5) < vote_factor(50) < vote_factor(100) == vote_factor(1000) == 1 + DEFAULT_VOTE_WEIGHT
    assert vote_factor(50, vote_weight=0) == 1.0


def test_scores_decompose(seed_index: PaperIndex) -> None:
    for hit in seed_index.search("확산 모델", limit=10):
        assert hit.score == pytest.approx(hit.text_score * hit.vote_factor)
        assert hit.vote_factor == pytest.approx(vote_factor(hit.votes))
    scores = [h.score for h in seed_index.search("확산 모델", limit=10)]
    assert scores == sorted(scores, reverse=True)


def test_votes_order_ties_but_never_bury_a_better_match(tmp_path: Path,
                                                        write_digest: DigestWriter) -> None:
    index = PaperIndex.create(tmp_path / "ix")
    same = ["희소 전문가 혼합 모델을 제안한다."]
    index.add(write_digest("2024/05/01.md", digest(
        "2024-05-01",
        entry("2405.00001", "Alpha", same, votes=2),
        entry("2405.00002", "Beta", same, votes=90),
        entry("2405.00003", "Gamma", same, votes=None),  # unknown votes: a typical paper
        # The best text match (the words are in its title) has no votes at all.
        entry("2405.00004", "Sparse Mixture of Experts 희소 전문가 혼합",
              ["희소 전문가 혼합 모델을 분석한다."], votes=0),
        entry("2405.00005", "Popular", ["전문가 의견을 모은 모델이다. 희소한 혼합 자료."],
              votes=250),
        entry("2405.00006", "Other", ["다른 주제."], votes=1),
    )))
    ranked = top(index, "희소 전문가 혼합", limit=10)
    assert ranked[0] == "2405.00004"  # 0 votes, clearly better text: first
    # Identical text: more votes first; unknown votes count as the median (8), not as
    # none (the early digests gave no votes: their papers are not the least popular).
    assert ranked.index("2405.00002") < ranked.index("2405.00003") < ranked.index("2405.00001")
    assert vote_factor(None) == vote_factor(UNKNOWN_VOTES) > vote_factor(0) == 1.0
    # 250 votes do not lift a weaker match over a better one with fewer votes.
    assert ranked.index("2405.00002") < ranked.index("2405.00005")
    assert "2405.00006" not in ranked


def test_a_long_description_weighs_votes_more(tmp_path: Path,
                                              write_digest: DigestWriter) -> None:
    # Someone who describes a paper in many words half remembers it, and the papers
    # people remember are the popular ones; such a description also matches many papers
    # in part. Up to five words votes weigh 0.3, then more with each word, 0.9 from eight.
    ranking = Ranking()
    assert ranking.for_words(5) == ranking
    assert ranking.for_words(6).vote_weight == pytest.approx(0.5)
    assert ranking.for_words(8).vote_weight == ranking.for_words(12).vote_weight \
        == pytest.approx(0.9)
    assert Ranking(vote_weight=0).for_words(12).vote_weight == 0  # off stays off
    index = PaperIndex.create(tmp_path / "ix")
    summary = ["로봇 시연 데이터로 학습한 오픈소스 조작 정책 모델이다."]
    index.add(write_digest("2024/05/01.md", digest(
        "2024-05-01",
        entry("2405.00001", "Robot Niche", summary, votes=1),  # its title says robot too
        entry("2405.00002", "Famous", summary, votes=300),
        entry("2405.00003", "Other", ["언어 모델 데이터 학습."]),
        entry("2405.00004", "Another", ["이미지 생성 모델."]),
    )))
    eight = "로봇 시연 데이터로 학습한 오픈소스 조작 정책 모델"  # eight words, none an intent word
    short = index.search("로봇 시연 조작", explain=True)
    long = index.search(eight, explain=True)
    assert short[0].arxiv_id == "2405.00001"  # votes only break near-ties
    assert long[0].arxiv_id == "2405.00002"  # the one people remember
    for result, weight in ((short, 0.3), (long, 0.9)):
        for hit in result:
            assert hit.explanation is not None
            assert hit.explanation.vote_weight == pytest.approx(weight)
            assert hit.vote_factor == pytest.approx(vote_factor(hit.votes, weight))
            assert hit.text_score == pytest.approx(hit.explanation.text_score)
    # intent words are not counted (방법, 공개: seven words and two intent words), words
    # found nowhere are (the user typed them: they describe the paper all the same)
    counted = {"로봇 시연 데이터로 학습한 공개 조작 정책 모델 방법": 0.7,
               "로봇 시연 조작 xqzvw qqwxz zzkqy yyqpz wwqxz": 0.9}
    for query, weight in counted.items():
        hits = index.search(query, explain=True)
        assert hits[0].explanation and hits[0].explanation.vote_weight == pytest.approx(weight)
    # the user's own weight is scaled alike, and 0 turns votes off for every query
    flat = index.search(eight, vote_weight=0, explain=True)
    assert flat[0].arxiv_id == "2405.00001"
    assert flat[0].explanation and flat[0].explanation.vote_weight == 0


def test_votes_never_reorder_text_scores_beyond_the_weight(seed_index: PaperIndex) -> None:
    for query in ["모델", "diffusion", "언어 모델 평가", "이미지 생성"]:
        hits = list(seed_index.search(query, limit=30))
        assert len(hits) >= 3
        for i, higher in enumerate(hits):
            for lower in hits[i + 1:]:
                # A paper ranked below never has a text score more than (1 + weight)x higher.
                assert lower.text_score <= (higher.text_score * (1 + DEFAULT_VOTE_WEIGHT)
                                            + 1e-9), (query, lower, higher)


# -- highlights ---------------------------------------------------------------------------------------

def test_snippet_and_title_highlights(seed_index: PaperIndex) -> None:
    hit = seed_index.search("기계 생성 텍스트 탐지")[0]
    marked = {hit.snippet[s:e] for s, e in hit.snippet_highlights}
    assert marked == {"기계", "생성", "텍스트", "탐지"}
    hit = seed_index.search("rectifying flows")[0]
    assert [hit.title[s:e] for s, e in hit.title_highlights] == ["Rectified", "Flow"]


def test_excluded_words_are_not_highlighted(seed_index: PaperIndex) -> None:
    for hit in seed_index.search("diffusion -music"):
        assert all(hit.snippet[s:e].lower() != "music" for s, e in hit.snippet_highlights)


# -- threads ---------------------------------------------------------------------------------------

def test_many_threads_search_one_index(seed_index: PaperIndex) -> None:
    queries = {q: top(seed_index, q) for q in
               ["기계 생성 텍스트 탐지", "rectifying flows", "데이터 없이 양자화", "Tom Goldstein",
                "확산 모델", "GPT-4V"]}
    failures: list[str] = []

    def work(offset: int) -> None:
        names = list(queries)
        for i in range(60):
            q = names[(i + offset) % len(names)]
            try:
                got = top(seed_index, q)
            except Exception as exc:
                failures.append(f"{q}: {exc!r}")
                continue
            if got != queries[q]:
                failures.append(f"{q}: {got} != {queries[q]}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


# -- explanations -------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["기계 생성 텍스트 탐지", "확산 모델", "Tom Goldstein",
                                   "diffusion -music", "대형 언어 모델의 환각을 줄이는 방법",
                                   "LLM 양자화", '"rectified flow"', "title:diffusion"])
def test_explanations_add_up_to_the_scores(seed_index: PaperIndex, query: str) -> None:
    result = seed_index.search(query, limit=10, explain=True)
    assert result.hits
    for hit in result.hits:
        e = hit.explanation
        assert e is not None and e.terms
        assert e.text_score == pytest.approx(hit.text_score, rel=1e-6)
        assert e.score == pytest.approx(hit.score, rel=1e-6)
        assert e.vote_factor == pytest.approx(hit.vote_factor)
        # coordination scales the words the query needs, not its optional intent words
        assert sum(t.score * (1.0 if t.optional else e.coordination)
                   for t in e.terms) == pytest.approx(e.text_score)
    assert seed_index.search(query, limit=3).hits[0].explanation is None
