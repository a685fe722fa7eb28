"""Explanations: how a hit's score was made, term by term.

A paper's text score is what Whoosh's matchers add up for it: the BM25F score
of every query term (or phrase) it contains, each with its field's boost (and,
for a glossary translation, the expansion weight), multiplied by the
coordination factor when the query asked for most of its words
(:mod:`papersearch.coordination`). The final score multiplies that by the vote
factor (:mod:`papersearch.ranking`). :func:`explain` replays the query's leaf
matchers on the one document to say which terms matched and what each added.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import query as wq

from papersearch.coordination import CoordinatedOr
from papersearch.models import Explanation, TermScore
from papersearch.ranking import Ranking, vote_factor

TRANSLATION_ATTR = "papersearch_translation"
"""Set on the queries of a glossary translation: ``(the user's words, the translation)``."""


def mark_translation(q: wq.Query, source: str, translation: str) -> wq.Query:
    """Tag ``q`` (and its leaves) as the translation ``translation`` of ``source``."""
    for leaf in _walk(q):
        setattr(leaf, TRANSLATION_ATTR, (source, translation))
    setattr(q, TRANSLATION_ATTR, (source, translation))
    return q


def _walk(q: wq.Query) -> Iterator[wq.Query]:
    yield q
    for child in q.children():
        yield from _walk(child)


def _leaves(q: wq.Query) -> Iterator[wq.Query]:
    """The scoring leaves: terms and phrases, not excluded ones, each once."""
    if isinstance(q, wq.AndNot):
        yield from _leaves(q.a)
    elif isinstance(q, wq.Not):
        return
    elif isinstance(q, (wq.Term, wq.Phrase)):
        yield q
    else:
        for child in q.children():
            yield from _leaves(child)


def _positive(q: wq.Query) -> wq.Query:
    return _positive(q.a) if isinstance(q, wq.AndNot) else q


def _matches(q: wq.Query, searcher: Any, context: Any, docnum: int) -> tuple[bool, float]:
    matcher = q.matcher(searcher, context)
    if matcher.is_active():
        matcher.skip_to(docnum)
    if matcher.is_active() and matcher.id() == docnum:
        return True, float(matcher.score())
    return False, 0.0


def explain(searcher: Any, q: wq.Query, docnum: int, votes: int | None,
            ranking: Ranking) -> Explanation:
    """How ``q`` scored document ``docnum`` of ``searcher`` (top-level document number)."""
    context = searcher.context()
    # Every occurrence counts, as in the matchers: a translation of several words sits
    # in each of their clauses with a share of the weight.
    scores: dict[tuple[str, str, str | None], float] = {}
    for leaf in _leaves(q):
        matched, score = _matches(leaf, searcher, context, docnum)
        if not matched:
            continue
        words = " ".join(leaf.words) if isinstance(leaf, wq.Phrase) else str(leaf.text)
        source = getattr(leaf, TRANSLATION_ATTR, None)
        key = (str(leaf.fieldname), words, source[0] if source else None)
        scores[key] = scores.get(key, 0.0) + score
    terms = [TermScore(field=f, text=t, score=v, translation_of=src)
             for (f, t, src), v in scores.items()]
    fields: dict[str, float] = {}
    for term in terms:
        fields[term.field] = fields.get(term.field, 0.0) + term.score
    positive = _positive(q)
    clauses = matched_clauses = 0
    coordination = 1.0
    if isinstance(positive, CoordinatedOr):
        clauses = positive.clauses
        covered = 0
        for child, mask in zip(positive.subqueries, positive.coverage, strict=True):
            if _matches(child, searcher, context, docnum)[0]:
                covered |= mask
        matched_clauses = bin(covered).count("1")
        coordination = (matched_clauses / clauses) ** positive.power if clauses else 1.0
    factor = vote_factor(votes, ranking.vote_weight)
    text_score = sum(fields.values()) * coordination
    return Explanation(fields=fields, terms=terms, clauses=clauses,
                       matched_clauses=matched_clauses, coordination=coordination,
                       votes=votes, vote_factor=factor, text_score=text_score,
                       score=text_score * factor)
