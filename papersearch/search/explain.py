"""Explanations: how a hit's score was made, term by term.

A paper's text score is what Whoosh's matchers add up for it: the BM25F score
of every query term (or phrase) it contains, each with its field's boost (and,
for a glossary translation, the expansion weight), multiplied by the
coordination factor when the query asked for most of its words
(:mod:`papersearch.search.coordination`), plus the scores of the query's optional intent
words (:mod:`papersearch.search.intent`), which coordination does not scale. The final
score multiplies that by the vote factor (:mod:`papersearch.search.ranking`).
:func:`explain` replays the query's leaf matchers on the one document to say which
terms matched and what each added.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import query as wq

from papersearch.models import Explanation, TermScore
from papersearch.search.bestof import BestOf
from papersearch.search.bm25f import FieldsTerm
from papersearch.search.coordination import CoordinatedOr
from papersearch.search.querytree import translation_of
from papersearch.search.ranking import Ranking, vote_factor


def _positive(q: wq.Query) -> wq.Query:
    """The required part of a query: less its exclusions and its optional intent words."""
    return _positive(q.a) if isinstance(q, (wq.AndNot, wq.AndMaybe)) else q


def _optional(q: wq.Query) -> wq.Query | None:
    """The optional part of a query (its intent words), if it has one."""
    if isinstance(q, wq.AndNot):
        return _optional(q.a)
    return q.b if isinstance(q, wq.AndMaybe) else None


def _matches(q: wq.Query, searcher: Any, context: Any, docnum: int) -> tuple[bool, float]:
    matcher = q.matcher(searcher, context)
    if matcher.is_active():
        matcher.skip_to(docnum)
    if matcher.is_active() and matcher.id() == docnum:
        return True, float(matcher.score())
    return False, 0.0


def _weighted_leaves(q: wq.Query, searcher: Any, context: Any, docnum: int,
                     weight: float = 1.0) -> Iterator[tuple[wq.Query, float]]:
    """The scoring leaves of ``q`` (as :func:`~papersearch.search.querytree.positive_leaves`)
    under parts that match the document, and the share of its score each keeps: all of
    it, except under a :class:`~papersearch.search.bestof.BestOf`, where the document's
    best alternative keeps all and the others the tie. (A leaf under a part that does not
    match, 학습 of 강화학습 in a paper without 강화, adds nothing to the score.)"""
    if isinstance(q, (wq.Term, wq.Phrase, FieldsTerm)):
        yield q, weight
    elif isinstance(q, wq.Not) or (isinstance(q, (wq.And, wq.AndMaybe, wq.AndNot))
                                   and not _matches(q, searcher, context, docnum)[0]):
        # A part that needs more than one of its leaves and does not match adds nothing,
        # whatever its leaves match alone. (A union that does not match has no matching
        # leaf, and the soft AND at the top matches the hits it explains: no need to ask.)
        return
    elif isinstance(q, BestOf):
        scores = [_matches(child, searcher, context, docnum)[1] for child in q.subqueries]
        best = scores.index(max(scores))
        for i, child in enumerate(q.subqueries):
            share = weight * q.boost * (1.0 if i == best else q.tie)
            yield from _weighted_leaves(child, searcher, context, docnum, share)
    elif isinstance(q, wq.AndNot):
        yield from _weighted_leaves(q.a, searcher, context, docnum, weight)
    else:
        for child in q.children():
            yield from _weighted_leaves(child, searcher, context, docnum, weight)


def explain(searcher: Any, q: wq.Query, docnum: int, votes: int | None,
            ranking: Ranking) -> Explanation:
    """How ``q`` scored document ``docnum`` of ``searcher`` (top-level document number)."""
    context = searcher.context()
    positive = _positive(q)
    optional = _optional(q)
    # Every occurrence counts, as in the matchers: a translation of several words sits
    # in each of their clauses with a share of the weight.
    scores: dict[tuple[str, str, str | None, str | None, bool], float] = {}
    for part, is_optional in ((positive, False), (optional, True)):
        leaves = _weighted_leaves(part, searcher, context, docnum) if part is not None else ()
        for leaf, share in leaves:
            matched, score = _matches(leaf, searcher, context, docnum)
            if not matched:
                continue
            score *= share
            words = " ".join(leaf.words) if isinstance(leaf, wq.Phrase) else str(leaf.text)
            source = translation_of(leaf)
            fieldname = ("+".join(leaf.fieldnames) if isinstance(leaf, FieldsTerm)
                         else str(leaf.fieldname))
            key = (fieldname, words, source[0] if source else None,
                   source[2] if source else None, is_optional)
            scores[key] = scores.get(key, 0.0) + score
    terms = [TermScore(field=f, text=t, score=v, translation_of=src, via=via, optional=o)
             for (f, t, src, via, o), v in scores.items()]
    fields: dict[str, float] = {}
    for term in terms:
        fields[term.field] = fields.get(term.field, 0.0) + term.score
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
    # coordination scales the words the query needs, not its optional intent words
    text_score = sum(t.score * (1.0 if t.optional else coordination) for t in terms)
    return Explanation(fields=fields, terms=terms, clauses=clauses,
                       matched_clauses=matched_clauses, coordination=coordination,
                       votes=votes, vote_weight=ranking.vote_weight, vote_factor=factor,
                       text_score=text_score,
                       score=text_score * factor)
