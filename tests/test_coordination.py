"""The soft AND: CoordinatedOr against a brute-force count, and in real searches."""

from __future__ import annotations

import random

from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.scoring import BM25F

from papersearch import PaperIndex
from papersearch.search.coordination import CoordinatedOr
from papersearch.search.ranking import Ranking

VOCAB = [f"w{i}" for i in range(12)]


def _random_index(seed: int, docs: int = 300) -> tuple[object, list[set[str]]]:
    rng = random.Random(seed)
    ix = RamStorage().create_index(Schema(id=ID(stored=True), body=TEXT))
    texts: list[set[str]] = []
    writer = ix.writer()
    for n in range(docs):
        words = rng.sample(VOCAB, rng.randint(1, 6))
        texts.append(set(words))
        writer.add_document(id=str(n), body=" ".join(words))
    writer.commit()
    return ix, texts


def test_matches_exactly_the_documents_with_enough_clauses() -> None:
    for seed in range(8):
        ix, texts = _random_index(seed)
        rng = random.Random(seed)
        with ix.searcher(weighting=BM25F()) as searcher:
            for _ in range(25):
                words = rng.sample(VOCAB, rng.randint(2, 6))
                need = rng.randint(1, len(words))
                q = CoordinatedOr([wq.Term("body", w) for w in words], need)
                found = {hit["id"] for hit in searcher.search(q, limit=None)}
                expected = {str(n) for n, text in enumerate(texts)
                            if len(text & set(words)) >= need}
                assert found == expected, (words, need)


def test_more_clauses_matched_scores_higher_at_equal_term_weights() -> None:
    ix = RamStorage().create_index(Schema(id=ID(stored=True), body=TEXT))
    writer = ix.writer()
    for n, body in enumerate(["pp qq rr", "pp qq xx", "pp yy zz", "pp qq rr"]):
        writer.add_document(id=str(n), body=body)
    writer.commit()
    q = CoordinatedOr([wq.Term("body", w) for w in ("pp", "qq", "rr")], 1, power=1.0)
    with ix.searcher(weighting=BM25F()) as searcher:
        ranked = [hit["id"] for hit in searcher.search(q, limit=None)]
    assert set(ranked[:2]) == {"0", "3"} and ranked[2:] == ["1", "2"]


def test_a_long_query_ranks_by_how_much_of_it_a_paper_covers(seed_index: PaperIndex) -> None:
    # The Binoculars paper lacks "음악" but has four of the five words: most of them, so it
    # matches the whole query; papers with fewer follow, ranked by coverage times score.
    query = "기계 생성 텍스트 탐지 음악"
    result = seed_index.search(query, limit=5)
    assert result.hits[0].arxiv_id == "2401.12070" and not result.hits[0].partial
    assert result.total == 1 and all(h.partial for h in result.hits[1:])
    covered = [h.explanation.matched_clauses for h in
               seed_index.search(query, limit=5, explain=True).hits[1:] if h.explanation]
    assert covered and all(c < 4 for c in covered)
    # strict AND and no paper has every word: what is shown matches part, and says so
    strict = seed_index.search(query, ranking=Ranking(match_ratio=1.0), limit=5)
    assert strict.relaxed and strict.hits[0].arxiv_id == "2401.12070"
    assert strict.total == strict.partial > 0


def test_min_match_needs_most_words() -> None:
    ranking = Ranking(match_ratio=0.75)
    assert [ranking.min_match(n) for n in (1, 2, 3, 4, 5, 8)] == [1, 2, 3, 3, 4, 6]
    assert Ranking(match_ratio=1.0).min_match(7) == 7
    assert Ranking(match_ratio=0.1).min_match(7) == 2  # never fewer than two words


def test_a_translation_covers_the_words_it_translates() -> None:
    ix = RamStorage().create_index(Schema(id=ID(stored=True), body=TEXT))
    writer = ix.writer()
    for n, body in enumerate(["reward model scale", "pp qq scale", "pp scale"]):
        writer.add_document(id=str(n), body=body)
    writer.commit()
    # clauses pp, qq, scale; "reward model" stands for pp and qq together
    q = CoordinatedOr([wq.Term("body", "pp"), wq.Term("body", "qq"), wq.Term("body", "scale"),
                       wq.And([wq.Term("body", "reward"), wq.Term("body", "model")])], 3,
                      coverage=[1, 2, 4, 3])
    with ix.searcher(weighting=BM25F()) as searcher:
        assert {hit["id"] for hit in searcher.search(q, limit=None)} == {"0", "1"}
