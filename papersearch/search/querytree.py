"""Walking compiled Whoosh query trees: their scoring leaves, and the translations in them.

One home for what highlighting, explanations and glossary expansion each need to know
about a compiled query: which leaves it scores (not the excluded ones), and which of
them a glossary translation added (tagged on the query objects, since Whoosh queries
carry no room for it, and read back with :func:`translation_of`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

from whoosh import query as wq

from papersearch.search.bm25f import FieldsTerm

TRANSLATION_ATTR = "papersearch_translation"
"""Set on the queries of a glossary translation: ``(the user's words, the translation,
the translation it was reached via or None)``."""

Translation = tuple[str, str, "str | None"]


def walk(q: wq.Query) -> Iterator[wq.Query]:
    """``q`` and every query below it."""
    yield q
    for child in q.children():
        yield from walk(child)


def positive_leaves(q: wq.Query) -> Iterator[wq.Query]:
    """The scoring leaves: terms and phrases, not excluded ones."""
    if isinstance(q, wq.AndNot):
        yield from positive_leaves(q.a)
    elif isinstance(q, wq.Not):
        return
    elif isinstance(q, (wq.Term, wq.Phrase, FieldsTerm)):
        yield q
    else:
        for child in q.children():
            yield from positive_leaves(child)


def mark_translation(q: wq.Query, source: str, translation: str,
                     via: str | None = None) -> wq.Query:
    """Tag ``q`` (and its leaves) as the translation ``translation`` of ``source``, or
    as its other spelling reached ``via`` a translation."""
    for part in walk(q):
        setattr(part, TRANSLATION_ATTR, (source, translation, via))
    return q


def translation_of(q: wq.Query) -> Translation | None:
    """What :func:`mark_translation` tagged ``q`` with, or None for the user's own words."""
    found: Translation | None = getattr(q, TRANSLATION_ATTR, None)
    return found


def scale_boost(q: wq.Query, weight: float) -> wq.Query:
    """A copy of ``q`` whose scoring leaves (terms, phrases, BM25F terms) weigh ``weight``
    times more.

    The weight goes on the leaves, where explanations read it. Each node is copied, so
    what is set on it stays (translation tags, a union's ``matcher_type``)."""
    if isinstance(q, (wq.Term, wq.Phrase, FieldsTerm)):
        leaf = copy.copy(q)
        leaf.boost = q.boost * weight
        return leaf
    if isinstance(q, wq.CompoundQuery):
        node = copy.copy(q)
        node.subqueries = [scale_boost(child, weight) for child in q.subqueries]
        return node
    scaled: wq.Query = q.apply(lambda child: scale_boost(child, weight))
    return scaled
