"""Compiling a query: from its text to a plan of Whoosh queries.

Each word of a query is analyzed with the index's own analyzers (query mode)
and looked for in every text field with the boosts of :mod:`papersearch.search.ranking`
(title and summary as one BM25F text). Words combine with AND, or for a long query
with coordination (most of the words, :mod:`papersearch.search.coordination`); intent
words (방법, 개선) are optional; glossary translations and spelling variants join their
word (:mod:`papersearch.search.expansion`); a word that matches nothing anywhere is
dropped and reported. :func:`plan` gives the compiled query and what it dropped, for
:mod:`papersearch.search.searching` to run and for tools to inspect.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.fields import Schema

from papersearch.analysis import MecabTokenizer
from papersearch.arxiv import ARXIV_ID
from papersearch.schema import KIND_PAPER
from papersearch.search.alignment import Alignment
from papersearch.search.coordination import CoordinatedOr
from papersearch.search.expansion import (
    Clause,
    Extra,
    Glossary,
    Loanwords,
    expand,
    with_translations,
)
from papersearch.search.intent import is_intent
from papersearch.search.query import And, Node, Not, Or, ParsedQuery, Word, describe, parse_query
from papersearch.search.querytree import scale_boost
from papersearch.search.ranking import DEFAULT_RANKING, Ranking
from papersearch.search.scoring import Evaluator

TEXT_FIELDS = ("title", "summary", "authors")
BM25F_FIELDS = ("title", "summary")
"""The fields a word is scored across as one text (:mod:`papersearch.search.bm25f`)."""


MAX_WORD_TERMS = 12
"""Terms searched of one word or phrase. A phrase is one query term to the parser's limit,
but Whoosh matches it position by position: 330 repeats of one word in quotes took 12
seconds; twelve terms bound that work, and no real phrase needs more."""


def _bounded(tokens: list[tuple[int, str]], phrase: bool) -> list[tuple[int, str]]:
    """The first :data:`MAX_WORD_TERMS` of a word's (position, term) pairs, each term
    once unless it is a phrase (where order and repeats matter)."""
    if not phrase:
        first: dict[str, int] = {}
        for position, term in tokens:
            first.setdefault(term, position)
        tokens = [(position, term) for term, position in first.items()]
    return tokens[:MAX_WORD_TERMS]


Context = dict[tuple[int, int], list[tuple[int, str]]]
"""A query's words analyzed together: each word's span -> its (position, term) pairs."""


def _words(node: Node | None, excluded: bool = True) -> list[Word]:
    """Every word of a syntax tree, in order; with ``excluded`` False, not those of its
    exclusions."""
    if node is None:
        return []
    if isinstance(node, Word):
        return [node]
    if isinstance(node, Not):
        return _words(node.child, excluded) if excluded else []
    return [w for child in node.children for w in _words(child, excluded)]


class QueryCompiler:
    """Turns query syntax trees into Whoosh queries for one schema."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._memo: dict[tuple[int, str], list[tuple[int, str]]] = {}
        self._context_memo: dict[tuple[int, str], Context] = {}
        self._loanwords: Loanwords | None = None
        self._alignment: Callable[[Any], Alignment] | None = None

    def analyze(self, fieldname: str, text: str) -> list[tuple[int, str]]:
        """(position, term) pairs of ``text`` in ``fieldname``, query mode.

        Memoized: title and summary share one analyzer, so a word is run
        through MeCab once per query, not once per field.
        """
        analyzer = self.schema[fieldname].analyzer
        key = (id(analyzer), text)
        cached = self._memo.get(key)
        if cached is None:
            cached = [(t.pos, t.text) for t in analyzer(text, positions=True, mode="query")
                      if not t.stopped]
            if len(self._memo) > 4096:
                self._memo.clear()
            self._memo[key] = cached
        return cached

    def in_context(self, parsed: ParsedQuery) -> Context:
        """Every word of a query analyzed at once, in context, by the text chain.

        MeCab reads a word better beside its neighbours than alone (``기반의``
        alone is 기 + 반의; in ``트랜스포머 기반의 모델`` it is 기반 + 의), so the
        query's words are analyzed together (operators, quotes and field prefixes
        blanked out) and each word gets the terms inside its span.
        """
        words = [w for w in _words(parsed.root) if w.span is not None]
        if not words:
            return {}
        chars = [" "] * len(parsed.text)
        for w in words:
            start, end = w.span  # type: ignore[misc]
            chars[start:end] = parsed.text[start:end]
        masked = "".join(chars)
        key = (-1, masked)
        cached = self._context_memo.get(key)
        if cached is None:
            spans = sorted({w.span for w in words if w.span is not None})
            starts = [start for start, _ in spans]
            cached = {span: [] for span in spans}
            analyzer = self.schema["summary"].analyzer
            for t in analyzer(masked, positions=True, chars=True, mode="query"):
                if t.stopped:
                    continue
                i = bisect_right(starts, t.startchar) - 1
                if i >= 0 and t.startchar < spans[i][1]:
                    cached[spans[i]].append((t.pos, t.text))
            if len(self._context_memo) > 4096:
                self._context_memo.clear()
            self._context_memo[key] = cached
        return cached

    def terms_of(self, fieldname: str, node: Word, context: Context | None
                 ) -> list[tuple[int, str]]:
        """(position, term) pairs of a word in ``fieldname``: from the query's context
        for the text fields, else analyzed alone; at most :data:`MAX_WORD_TERMS`, and a
        plain word's repeated terms once (모델모델모델 asks for 모델)."""
        return _bounded(self._all_terms_of(fieldname, node, context), node.phrase)

    def _all_terms_of(self, fieldname: str, node: Word, context: Context | None
                      ) -> list[tuple[int, str]]:
        if (context is not None and node.span in context
                and self.schema[fieldname].analyzer is self.schema["summary"].analyzer):
            return context[node.span]
        return self.analyze(fieldname, node.text)

    def overlong(self, node: Word, context: Context | None) -> bool:
        """Whether a word or phrase has more terms than are searched (:meth:`terms_of`)."""
        return len(self._all_terms_of("summary", node, context)) > MAX_WORD_TERMS

    def tokenizer(self) -> MecabTokenizer:
        """The MeCab tokenizer of the text fields (its tagger is per thread)."""
        tokenizer: MecabTokenizer = self.schema["summary"].analyzer.tokenizer
        return tokenizer

    def loanwords(self) -> Loanwords:
        """The curated loanwords analyzed with this schema (once per compiler, unless
        :meth:`use_loanwords` gave the table the index keeps)."""
        if self._loanwords is None:
            self._loanwords = Loanwords(
                lambda text: [t for _, t in self.analyze("summary", text)])
        return self._loanwords

    def use_alignment(self, source: Callable[[Any], Alignment]) -> None:
        """Take the title words Korean words go with (:mod:`papersearch.search.alignment`)
        from ``source``, given a reader (the index keeps them in a file)."""
        self._alignment = source

    def alignment(self, reader: Any) -> Alignment | None:
        """The alignment queries of ``reader`` use; None unless :meth:`use_alignment`."""
        return self._alignment(reader) if self._alignment is not None else None

    def use_loanwords(self, loanwords: Loanwords) -> None:
        """Take ``loanwords`` as this schema's analyzed lexicon (read from the index that
        analyzed it, instead of analyzing it again)."""
        self._loanwords = loanwords

    def expandable_terms(self, node: Node, context: Context | None = None
                         ) -> tuple[str, ...] | None:
        """A plain word's terms, which the glossary may translate; None for anything else."""
        if (not isinstance(node, Word) or node.phrase or node.field is not None
                or ARXIV_ID.match(node.text)):
            return None
        return tuple(t for _, t in self.terms_of("summary", node, context))

    def word(self, node: Word, ranking: Ranking = DEFAULT_RANKING,
             lookup: Glossary | None = None, context: Context | None = None,
             tie: float = 1.0) -> wq.Query | None:
        """A word or phrase: its terms in every field it may be in, boosted per field,
        and its translations, added (``tie`` 1) or the best of them (:func:`with_translations`)."""
        if node.field == "arxiv_id" or (node.field is None and ARXIV_ID.match(node.text)):
            match = ARXIV_ID.match(node.text)
            exact = wq.Term("arxiv_id", (match.group(1) if match else node.text).lower(),
                            boost=10.0)
            if node.field == "arxiv_id":
                return exact
        else:
            exact = None
        fields: tuple[str, ...] = (node.field,) if node.field else TEXT_FIELDS
        if (node.field is None and not self.terms_of("summary", node, context)
                and exact is None):
            return None  # only particles or stop words: nothing to look for
        per_field: list[wq.Query] = []
        if ranking.bm25f and node.field is None and not node.phrase:
            # title and summary as one text (BM25F); authors and the id apart
            tokens = self.terms_of("summary", node, context)
            terms = [t for _, t in tokens]
            if len(terms) == 1:
                per_field.append(ranking.fields_term(terms[0], BM25F_FIELDS))
            elif terms:
                # every term of the word (강화학습: 강화, 학습), in either field
                every = wq.And([ranking.fields_term(t, BM25F_FIELDS) for t in terms])
                if ranking.adjacency and len({p for p, _ in tokens}) == len(tokens):
                    adjacent = wq.Or([wq.Phrase(f, terms, slop=1, boost=ranking.boost(f))
                                      for f in BM25F_FIELDS])
                    per_field.append(wq.AndMaybe(every, adjacent))
                else:
                    per_field.append(every)
            fields = tuple(f for f in fields if f not in BM25F_FIELDS)
        for fieldname in fields:
            tokens = self.terms_of(fieldname, node, context)
            if not tokens:
                continue
            boost = ranking.boost(fieldname)
            terms = [t for _, t in tokens]
            if len(tokens) == 1:
                per_field.append(wq.Term(fieldname, terms[0], boost=boost))
            elif node.phrase and len({p for p, _ in tokens}) == len(tokens):
                per_field.append(wq.Phrase(fieldname, terms, slop=1, boost=boost))
            else:
                # A word that analyzes to several terms (강화학습, 텍스트-이미지): all of them
                # must match (and with Ranking.adjacency, side by side scores more).
                every = wq.And([wq.Term(fieldname, t, boost=boost) for t in terms])
                if ranking.adjacency and len({p for p, _ in tokens}) == len(tokens):
                    adjacent = wq.Phrase(fieldname, terms, slop=1, boost=boost)
                    per_field.append(wq.AndMaybe(every, adjacent))
                else:
                    per_field.append(every)
        if exact is not None:
            per_field.append(exact)
        if not per_field:
            return None
        if len(per_field) == 1:
            query = per_field[0]
        else:
            query = wq.Or(per_field)
            # A lazy union that can skip, not Whoosh's choice for small segments of loading
            # every posting of every field into arrays (costly for common words).
            query.matcher_type = wq.Or.DEFAULT_MATCHER
        own_terms = self.expandable_terms(node, context)
        if lookup is not None and own_terms:
            query = with_translations(query, own_terms, lookup, ranking, node.text, tie)
        return query

    def compile(self, node: Node, ranking: Ranking = DEFAULT_RANKING,
                lookup: Glossary | None = None, context: Context | None = None,
                tie: float = 1.0) -> wq.Query | None:
        """Compile any node; ``None`` where nothing searchable is left (only stop words)."""
        if isinstance(node, Word):
            return self.word(node, ranking, lookup, context, tie)
        if isinstance(node, Not):
            child = self.compile(node.child, ranking, lookup, context, tie)
            return wq.Not(child) if child is not None else None
        children = [c for c in (self.compile(child, ranking, lookup, context, tie)
                                for child in node.children) if c is not None]
        if not children:
            return None
        if isinstance(node, Or):
            # "NOT x OR y": a negation inside OR means "papers without x"; a bare Not
            # would also match the index's day and meta documents.
            children = [wq.AndNot(wq.Term("kind", KIND_PAPER), c.query)
                        if isinstance(c, wq.Not) else c for c in children]
            return children[0] if len(children) == 1 else wq.Or(children)
        return children[0] if len(children) == 1 else combine_and(children)


def combine_and(children: list[wq.Query]) -> wq.Query:
    """AND of clauses, with negated ones as AndNot (Whoosh cannot score a bare Not)."""
    positive = [c for c in children if not isinstance(c, wq.Not)]
    negative = [c.query for c in children if isinstance(c, wq.Not)]
    base: wq.Query
    if not positive:
        base = wq.Term("kind", KIND_PAPER)
    else:
        base = positive[0] if len(positive) == 1 else wq.And(positive)
    if not negative:
        return base
    return wq.AndNot(base, negative[0] if len(negative) == 1 else wq.Or(negative))


@dataclass
class Plan:
    """The compiled top-level clauses of a query, their text, and parser notes.

    ``extras`` are translations of runs of clauses (see :mod:`papersearch.search.expansion`),
    each with the positions in ``clauses`` of the clauses it stands for. ``optional``
    are the query's intent words (:mod:`papersearch.search.intent`): they add to a paper's
    score, weighted ``Ranking.intent_weight``, but never decide whether it matches.
    """

    clauses: list[Clause]
    notes: list[str] = field(default_factory=list)
    ranking: Ranking = DEFAULT_RANKING
    extras: list[Extra] = field(default_factory=list)
    optional: list[Clause] = field(default_factory=list)

    @property
    def positives(self) -> list[wq.Query]:
        return [c.query for c in self.clauses if not isinstance(c.query, wq.Not)]

    @property
    def negatives(self) -> list[wq.Query]:
        return [c.query for c in self.clauses if isinstance(c.query, wq.Not)]

    def strict(self) -> wq.Query | None:
        """Every clause (AND), or most of them for three or more (``Ranking.match_ratio``).

        None when the query had no searchable words.
        """
        if not self.clauses and not self.optional:
            return None
        positive = self.positives
        if not positive:
            return self._finish(None)
        need = self.ranking.min_match(len(positive))
        if need >= len(positive) and not self.extras:
            return self._finish(positive[0] if len(positive) == 1 else wq.And(positive))
        return self._finish(self._coordinated(need))

    def partial(self) -> wq.Query | None:
        """Papers with at least one of the clauses, ranked by how much of the query they
        cover (coordination, ``Ranking.partial_power``); None for a single clause, whose
        partial matches are its full ones."""
        if len(self.positives) + len(self.extras) < 2:
            return None
        return self._finish(self._coordinated(1, self.ranking.partial_power))

    def _coordinated(self, need: int, power: float | None = None) -> wq.Query:
        """The soft AND of the positive clauses and the translations of runs of them."""
        positive = [i for i, c in enumerate(self.clauses) if not isinstance(c.query, wq.Not)]
        slot = {i: k for k, i in enumerate(positive)}
        children = [self.clauses[i].query for i in positive]
        coverage = [1 << k for k in range(len(positive))]
        for query, covered in self.extras:
            mask = sum(1 << slot[i] for i in covered if i in slot)
            if mask:
                children.append(query)
                coverage.append(mask)
        return CoordinatedOr(children, need,
                             self.ranking.coord_power if power is None else power,
                             coverage=coverage)

    def _finish(self, core: wq.Query | None) -> wq.Query:
        """``core`` with the intent words as optional score and the negations applied."""
        extra = [scale_boost(c.query, self.ranking.intent_weight) for c in self.optional]
        if extra and self.ranking.intent_weight > 0:
            maybe = extra[0] if len(extra) == 1 else wq.Or(extra)
            core = maybe if core is None else wq.AndMaybe(core, maybe)
        elif core is None:
            core = wq.Or([c.query for c in self.optional])
        return combine_and([core, *self.negatives])

    def without_dead(self, evaluator: Evaluator) -> tuple[Plan, list[str]]:
        """This plan less the positive clauses that match no paper at all, and their text.

        A clause a matching translation stands for is alive. Intent words are optional
        and never reported.
        """
        live_extras = {i for q, covered in self.extras if evaluator.matches_anything(q)
                       for i in covered}
        live: list[Clause] = []
        dead: list[str] = []
        moved: dict[int, int] = {}
        for i, clause in enumerate(self.clauses):
            q = clause.query
            if isinstance(q, wq.Not) or i in live_extras or evaluator.matches_anything(q):
                moved[i] = len(live)
                live.append(clause)
            else:
                dead.append(clause.text)
        extras = [(q, tuple(moved[i] for i in covered if i in moved))
                  for q, covered in self.extras]
        return Plan(live, self.notes, self.ranking, [e for e in extras if e[1]],
                    self.optional), dead


def plan(compiler: QueryCompiler, text: str, ranking: Ranking = DEFAULT_RANKING,
         lookup: Glossary | None = None) -> Plan:
    """Parse and compile a query's top-level clauses (clauses of only stop words vanish).

    The words are analyzed together, in context (:meth:`QueryCompiler.in_context`).
    Intent words (:mod:`papersearch.search.intent`) become optional clauses, unless the
    query has nothing else. With a glossary ``lookup``, words that name a glossary
    entry also find its translations (see :mod:`papersearch.search.expansion`).
    """
    parsed = parse_query(text)
    notes = list(dict.fromkeys(parsed.notes))
    root = parsed.root
    if root is None:
        return Plan([], notes, ranking)
    context = compiler.in_context(parsed)
    notes += [f"{describe(w)[:40]!r}: only its first {MAX_WORD_TERMS} terms are searched"
              for w in _words(root) if compiler.overlong(w, context)]
    clauses: list[Clause] = []
    optional: list[Clause] = []
    tie = 1.0
    if ranking.mixed_tie < 1.0 and names_topic_in_english(
            root, _author_word(compiler, lookup),
            lambda word: bool(compiler.terms_of("summary", word, context))):
        tie = ranking.mixed_tie
    for node in list(root.children) if isinstance(root, And) else [root]:
        q = compiler.compile(node, ranking, lookup, context, tie)
        if q is None:
            continue
        clause = Clause(describe(node), q, compiler.expandable_terms(node, context))
        if clause.terms and is_intent(clause.terms):
            optional.append(clause)
        else:
            clauses.append(clause)
    if not any(not isinstance(c.query, wq.Not) for c in clauses):
        # nothing but intent words (and exclusions): they are the query
        clauses += optional
        optional = []
    names = name_phrases(compiler, clauses, ranking)
    if lookup is None:
        return Plan(clauses, notes, ranking, names, optional)
    return Plan(clauses, notes, ranking, expand(clauses, lookup, ranking, tie=tie) + names,
                optional)


_NAME_LIKE = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:[-'’][^\W\d_]+)*\.?$")
_LATIN_START = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")


def names_topic_in_english(root: Node | None,
                           author_word: Callable[[str], bool] | None = None,
                           searchable: Callable[[Word], bool] | None = None) -> bool:
    """Whether a query has a Latin-letter word (``LoRA로``, ``GPT-4V``, ``diffusion``)
    that is not part of a person's name (two neighbouring capitalized words, ``Wenhu
    Chen``, each an author's word by ``author_word`` if given: ``Gaussian Splatting`` is
    no one): such a word names the topic in the titles' language (``Ranking.mixed_tie``).
    Only words that are searched count: not exclusions, not words limited to the authors
    or another non-text field, and (by ``searchable``, if given) not stop words (``the``)."""
    texts = [w.text for w in _words(root, excluded=False)
             if w.field in (None, "title", "summary") and (searchable is None or searchable(w))]
    known = author_word or (lambda text: True)

    def latin(text: str) -> bool:
        start = _LATIN_START.match(text)
        return start is not None and any(c.isalpha() for c in start.group(0))

    def capitalized(text: str) -> bool:  # Chen, LeCun, Cohen-Or; not KV, GPT-4V
        return (bool(_NAME_LIKE.match(text)) and text[:1].isupper() and not text.isupper()
                and known(text))

    def simple(text: str) -> bool:  # Chen, Cohen-Or; not LoRA, MoE
        return all(part[:1].isupper() and part[1:].islower() for part in text.split("-"))

    def in_name(i: int) -> bool:
        return capitalized(texts[i]) and any(
            0 <= j < len(texts) and capitalized(texts[j]) and (simple(texts[i])
                                                             or simple(texts[j]))
            for j in (i - 1, i + 1))

    return any(latin(text) and not in_name(i) for i, text in enumerate(texts))


def _author_word(compiler: QueryCompiler, lookup: Glossary | None
                 ) -> Callable[[str], bool] | None:
    """Whether a word is in some paper's author list, by the index ``lookup`` reads."""
    if lookup is None:
        return None
    reader = lookup.reader

    def author_word(text: str) -> bool:
        terms = [t for _, t in compiler.analyze("authors", text)]
        return bool(terms) and all(reader.doc_frequency("authors", t) > 0 for t in terms)
    return author_word


def name_phrases(compiler: QueryCompiler, clauses: list[Clause], ranking: Ranking
                 ) -> list[Extra]:
    """Two neighbouring words that could be a person's name, as a phrase in ``authors``.

    ``Song Han 양자화`` finds Song Han's papers, not papers by a Han with a Song among
    their other authors. Each pair of plain Latin-letter words is also looked for as
    one name (``AUTHOR_GAP`` keeps two authors' names apart), weighted
    ``Ranking.name_weight`` of the authors field, and covers both words.
    """
    extras: list[Extra] = []
    if ranking.name_weight <= 0:
        return extras
    for i in range(len(clauses) - 1):
        pair = clauses[i:i + 2]
        if any(c.terms is None or not _NAME_LIKE.match(c.text) or not c.text.isascii()
               for c in pair):
            continue
        terms = [t for c in pair for _, t in compiler.analyze("authors", c.text)]
        if len(terms) >= 2:
            phrase = wq.Phrase("authors", terms, slop=1,
                               boost=ranking.boost("authors") * ranking.name_weight)
            extras.append((phrase, (i, i + 1)))
    return extras


def glossary_of(searcher: Any, evaluator: Evaluator, compiler: QueryCompiler) -> Glossary:
    """The glossary lookups of ``searcher``'s index version, made once per searcher."""
    return evaluator.derived("glossary", lambda: Glossary(
        searcher.reader(), compiler.loanwords(),
        alignment=compiler.alignment(searcher.reader())))
