"""Query expansion: a Korean query finds English words and the other way round.

A word, or a run of words, of a query whose analyzed terms name a glossary
entry (``강화학습``, ``트랜스포머``, ``보상 모델``, ``reward model``) may also be
matched by the entry's translations in title and summary, weighted
``Ranking.expansion_weight`` of the user's own words, so a paper that writes the
term the user typed still ranks above one that only writes its translation. A
paper with the translation counts as having all of the entry's words in the
soft AND of :mod:`papersearch.search.coordination`. The longest entry wins
(``대형 언어 모델`` before ``언어 모델``).

Translations come from the index's mined glossary and from the curated
loanword lexicon (:mod:`papersearch.analysis.lexicon`). A mined translation is used when at
least ``min_papers`` papers gloss it so and at least a third as many as gloss
the entry's most common translation (``확산 모델``: diffusion model, 77 papers;
not DM, 11) and by at least 1% of the papers that use the entry (:data:`MIN_SHARE`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq

from papersearch.analysis import glossary
from papersearch.analysis.glossary import Terms
from papersearch.analysis.lexicon import Entry
from papersearch.analysis.lexicon import bundled as bundled_lexicon
from papersearch.schema import KIND_PAPER
from papersearch.search.alignment import Alignment
from papersearch.search.bestof import BestOf
from papersearch.search.querytree import mark_translation, scale_boost
from papersearch.search.ranking import Ranking

MIN_PAPERS = 2
"""Papers that must gloss a pair alike before a query trusts it."""
MAX_TRANSLATIONS = 3
"""Translations used per entry (the most common ones)."""
MAX_CACHED = 20_000
"""Lookups a Glossary remembers (it lives as long as its searcher)."""
MAX_VARIANTS = 3
"""Other spellings used per entry, reached through its translations."""
DOMINANCE = 1 / 3
"""A mined translation needs at least this share of the papers of the entry's top one."""
MIN_SHARE = 0.01
"""...and this share of the papers whose summaries use the entry at all: a gloss must be a
habit of the digests, not an accident (학습 is glossed "pre-training" 4 times in 2,293
papers; 강화 학습 "RL" 94 times in 774)."""
MAX_SHARE = 0.25
"""A one-term translation found in more than this share of the papers is not used..."""
MIN_PAPERS_FOR_SHARE = 200
"""...in an index of at least this many papers (in a handful, every word is common)."""
EXPANDED_FIELDS = ("title", "summary")


class Loanwords:
    """The loanword lexicon's pairs (:mod:`papersearch.analysis.lexicon`), analyzed once, looked up
    both ways: Korean spelling to English and English to every Korean spelling.

    Analyzing the lexicon's 800-odd pairs takes 25-40 ms, a large part of a cold
    ``papersearch query``; an index therefore keeps the table it was created with
    (:meth:`to_json`, in its meta document) and a reader loads it (:meth:`from_json`).
    """

    def __init__(self, analyze: Callable[[str], list[str]] | None = None,
                 entries: Sequence[Entry] | None = None) -> None:
        self.table: dict[Terms, list[Terms]] = {}
        if analyze is None:
            return
        for entry in bundled_lexicon().entries if entries is None else entries:
            ko, en = tuple(analyze(entry.korean)), tuple(analyze(entry.english))
            if ko and en and ko != en:
                for key, value in ((ko, en), (en, ko)):
                    found = self.table.setdefault(key, [])
                    if value not in found:
                        found.append(value)

    def get(self, terms: Terms) -> list[Terms]:
        return self.table.get(terms, [])

    def to_json(self) -> str:
        """The analyzed table as JSON: ``[[key terms, [value terms, ...]], ...]``."""
        return json.dumps([[list(k), [list(v) for v in vs]] for k, vs in self.table.items()],
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Loanwords:
        """The table :meth:`to_json` wrote (ValueError if ``text`` is not one)."""
        loanwords = cls()
        try:
            for key, values in json.loads(text):
                loanwords.table[tuple(key)] = [tuple(v) for v in values]
        except (TypeError, AttributeError) as exc:
            raise ValueError(f"not a loanword table: {exc}") from exc
        return loanwords


class Glossary:
    """The translations of a term sequence, from one reader's glossary and the loanwords."""

    def __init__(self, reader: Any, loanwords: Loanwords, min_papers: int = MIN_PAPERS,
                 alignment: Alignment | None = None) -> None:
        self.reader = reader
        self.loanwords = loanwords
        self.min_papers = min_papers
        self.alignment = alignment or Alignment({})
        self._cache: dict[Terms, list[Terms]] = {}

    def translations(self, terms: Terms, aligned: bool = True) -> list[Terms]:
        """The translations of ``terms``: mined glosses, the loanword lexicon and (with
        ``aligned``) the title word a Korean word goes with
        (:mod:`papersearch.search.alignment`)."""
        key = terms if aligned else ("\x00unaligned", *terms)
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) > MAX_CACHED:
                self._cache.clear()
            cached = self._cache[key] = self._lookup(terms, aligned)
        return cached

    def variants(self, terms: Terms, aligned: bool = True) -> list[Terms]:
        """Other spellings of ``terms`` in the same language, found through a shared
        translation: 라벨 -> label -> 레이블, 단안 -> monocular -> 모노큘러,
        파운데이션 모델 -> foundation model -> 기초 모델. At most :data:`MAX_VARIANTS`."""
        key = ("\x00variants" if aligned else "\x00unaligned variants", *terms)
        cached = self._cache.get(key)
        if cached is None:
            direct = self.translations(terms, aligned)
            side = glossary.side_of(terms)
            cached = []
            for bridge in direct:
                for other in self.translations(bridge):
                    if (other != terms and other not in direct and other not in cached
                            and glossary.side_of(other) == side
                            and (len(terms) > 1 or len(other) == 1)):
                        cached.append(other)
            cached = self._cache[key] = cached[:MAX_VARIANTS]
        return cached

    def bridge(self, terms: Terms, variant: Terms, aligned: bool = True) -> Terms | None:
        """The translation through which ``variant`` was reached from ``terms``."""
        for bridge in self.translations(terms, aligned):
            if variant in self.translations(bridge):
                return bridge
        return None

    def _live_papers(self, key: str) -> int:
        """Papers whose glossary has ``key``, not counting deleted ones.

        Whoosh's document frequency still counts a replaced paper until its segment
        is merged away; the postings skip it.
        """
        return sum(1 for _ in self.reader.postings("glossary", key).all_ids())

    def _lookup(self, terms: Terms, aligned: bool) -> list[Terms]:
        found: list[tuple[int, Terms]] = []
        prefix = glossary.key_prefix(glossary.side_of(terms), terms)
        if "glossary" in self.reader.schema:
            for key in self.reader.expand_prefix("glossary", prefix):
                key = key.decode("utf-8") if isinstance(key, bytes) else key
                papers = self._live_papers(key)
                if papers >= self.min_papers:
                    found.append((papers, glossary.decode_key(key)))
        found.sort(key=lambda item: -item[0])
        if found:
            # the papers using the entry: at most those using its rarest term
            using = min(self.reader.doc_frequency("summary", t) for t in terms)
            floor = max(found[0][0] * DOMINANCE, using * MIN_SHARE)
        else:
            floor = 0
        out = [t for papers, t in found[:MAX_TRANSLATIONS] if papers >= floor]
        for extra in [*self.loanwords.get(terms),
                      *(self.alignment.get(terms) if aligned else [])]:
            if extra not in out:
                out.append(extra)
        # One term is not expanded into several: that is an acronym's long form (LLM:
        # 대형 언어 모델), which the digests write next to it anyway, and matching the
        # phrase would walk most of the index (on the benchmark: better without).
        return [t for t in out if t != terms and (len(terms) > 1 or len(t) == 1)
                and not self._everywhere(t)]

    def _everywhere(self, terms: Terms) -> bool:
        """Whether a one-term translation is in so many papers (:data:`MAX_SHARE`) that it
        tells them apart no better than no translation (모델 -> model: a third of all)."""
        if len(terms) != 1:
            return False
        papers = self.reader.doc_frequency("kind", KIND_PAPER)
        most = max(int(self.reader.doc_frequency(f, terms[0])) for f in EXPANDED_FIELDS)
        return bool(papers >= MIN_PAPERS_FOR_SHARE and most > MAX_SHARE * papers)


@dataclass(frozen=True)
class Clause:
    """A top-level clause of a query: its text, its Whoosh query, and its terms if expandable."""

    text: str
    query: wq.Query
    terms: Terms | None = None  # None: a phrase, a field-limited word, a group, a negation


def translation_query(terms: Terms, ranking: Ranking, source: str = "",
                      weight: float = 1.0, via: Terms | None = None) -> wq.Query:
    """A translation in title and summary, weighted below the user's own words
    (``Ranking.expansion_weight``, times ``weight``).

    Tagged with ``source`` (the words the user typed) for explanations, and with the
    translation ``via`` which a variant spelling was reached.
    """
    if ranking.bm25f and len(terms) == 1:
        combined = ranking.fields_term(terms[0], EXPANDED_FIELDS,
                                       ranking.expansion_weight * weight)
        return mark_translation(combined, source, terms[0],
                                " ".join(via) if via is not None else None)
    per_field: list[wq.Query] = []
    for fieldname in EXPANDED_FIELDS:
        boost = ranking.boost(fieldname) * ranking.expansion_weight * weight
        if len(terms) == 1:
            per_field.append(wq.Term(fieldname, terms[0], boost=boost))
        else:
            # slop 2: a stop word or particle may sit between the terms
            per_field.append(wq.Phrase(fieldname, list(terms), slop=2, boost=boost))
    either = wq.Or(per_field)
    either.matcher_type = wq.Or.DEFAULT_MATCHER
    return mark_translation(either, source, " ".join(terms),
                            " ".join(via) if via is not None else None)


def alternatives(terms: Terms, lookup: Glossary, ranking: Ranking, source: str = ""
                 ) -> list[wq.Query]:
    """The queries of ``terms``' translations and, weighted ``Ranking.variant_weight``
    lower, of its other spellings (:meth:`Glossary.variants`)."""
    if ranking.expansion_weight <= 0:
        return []
    out = [translation_query(t, ranking, source=source)
           for t in lookup.translations(terms, ranking.aligned)]
    if ranking.variant_weight > 0:
        out += [translation_query(v, ranking, source=source, weight=ranking.variant_weight,
                                  via=lookup.bridge(terms, v, ranking.aligned))
                for v in lookup.variants(terms, ranking.aligned)]
    return out


def with_translations(query: wq.Query, terms: Terms, lookup: Glossary,
                      ranking: Ranking, source: str = "", tie: float = 1.0) -> wq.Query:
    """One word's query, OR its translations and variants (unchanged if it has none);
    with ``tie`` below 1, the best of them plus ``tie`` times the others
    (:class:`~papersearch.search.bestof.BestOf`)."""
    others = alternatives(terms, lookup, ranking, source)
    if not others:
        return query
    if tie < 1.0:
        return BestOf([query, *others], tie)
    either = wq.Or([query, *others])
    either.matcher_type = wq.Or.DEFAULT_MATCHER
    return either


Extra = tuple[wq.Query, tuple[int, ...]]
"""A translation of several clauses, and the positions of the clauses it stands for."""


def expand(clauses: Sequence[Clause], lookup: Glossary, ranking: Ranking,
           max_span: int = glossary.MAX_TERMS, tie: float = 1.0) -> list[Extra]:
    """Translations of the runs of ``clauses`` that name a glossary entry.

    Words translated alone were expanded when compiled (:func:`with_translations`);
    this finds the entries that take several words (``보상 모델``, ``reward model``).
    Each such translation is one extra clause of the soft AND that covers the
    words it translates (:class:`~papersearch.search.coordination.CoordinatedOr`), so it is
    matched once and a paper with it counts as having those words. With ``tie`` below 1
    (a query that names its topic in English, ``Ranking.mixed_tie``) it weighs ``tie``,
    what a word's translations weigh there unless they are its best match: one more way
    of saying those words, not more evidence (``reward model`` and 보상 모델 in one
    summary are one mention).
    """
    extras: list[Extra] = []
    i = 0
    while i < len(clauses):
        span = _longest_entry(clauses, i, lookup, max_span) if (
            ranking.expansion_weight > 0 and clauses[i].terms is not None) else None
        if span is None:
            i += 1
            continue
        count, terms = span
        source = " ".join(c.text for c in clauses[i:i + count])
        others = alternatives(terms, lookup, ranking, source)
        either = others[0] if len(others) == 1 else wq.Or(others)
        either.matcher_type = wq.Or.DEFAULT_MATCHER
        if tie < 1.0:
            either = scale_boost(either, tie)
        extras.append((either, tuple(range(i, i + count))))
        i += count
    return extras


def _longest_entry(clauses: Sequence[Clause], start: int, lookup: Glossary,
                   max_span: int) -> tuple[int, Terms] | None:
    """How many clauses from ``start`` name the longest glossary entry, and its terms."""
    span: list[Clause] = []
    for clause in clauses[start:start + max_span]:
        if clause.terms is None:
            break
        span.append(clause)
    while len(span) > 1:  # one word's own translations are the compiler's (any word, anywhere)
        terms = tuple(t for c in span for t in c.terms or ())
        if 0 < len(terms) <= max_span and lookup.translations(terms):
            return len(span), terms
        span.pop()
    return None
