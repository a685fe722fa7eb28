"""Searching: from a parsed query to ranked, highlighted hits.

Each word of a query is analyzed with the index's own analyzers (query mode)
and looked for in every text field with the boosts of :mod:`papersearch.ranking`.
Words combine with AND; a word that matches nothing anywhere is dropped (and
reported in ``ignored_terms``) so the rest still find papers; if no paper has
every remaining word, the words combine with OR instead and the result says
``relaxed``. Filters (dates, votes) restrict without scoring.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from whoosh import query as wq
from whoosh.fields import Schema

from papersearch.analysis import MecabTokenizer
from papersearch.coordination import CoordinatedOr
from papersearch.evaluation import Evaluator, Ranked
from papersearch.expansion import Clause, Extra, Glossary, Loanwords, expand, with_translations
from papersearch.explain import explain as _explain
from papersearch.facets import count_facets
from papersearch.highlight import best_snippet, clip_spans, posting_spans
from papersearch.models import Facets, Hit, Paper, SearchResult
from papersearch.query import And, Node, Not, Or, Word, describe, parse_query
from papersearch.ranking import DEFAULT_RANKING, Ranking, vote_factor
from papersearch.schema import KIND_PAPER

SortOrder = Literal["relevance", "votes", "date"]
SORT_ORDERS: tuple[str, ...] = ("relevance", "votes", "date")
TEXT_FIELDS = ("title", "summary", "authors")
ARXIV_ID = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class SearchOptions:
    """Everything besides the query text that shapes a search."""

    limit: int = 10
    sort: SortOrder = "relevance"
    since: dt.date | None = None
    until: dt.date | None = None
    min_votes: int | None = None
    max_votes: int | None = None
    author: str | None = None
    ranking: Ranking = DEFAULT_RANKING
    explain: bool = False
    facets: bool = True


class QueryCompiler:
    """Turns query syntax trees into Whoosh queries for one schema."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._memo: dict[tuple[int, str], list[tuple[int, str]]] = {}
        self._loanwords: Loanwords | None = None

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

    def tokenizer(self) -> MecabTokenizer:
        """The MeCab tokenizer of the text fields (its tagger is per thread)."""
        tokenizer: MecabTokenizer = self.schema["summary"].analyzer.items[0]
        return tokenizer

    def loanwords(self) -> Loanwords:
        """The curated loanwords analyzed with this schema (once per compiler)."""
        if self._loanwords is None:
            self._loanwords = Loanwords(
                lambda text: [t for _, t in self.analyze("summary", text)])
        return self._loanwords

    def expandable_terms(self, node: Node) -> tuple[str, ...] | None:
        """A plain word's terms, which the glossary may translate; None for anything else."""
        if (not isinstance(node, Word) or node.phrase or node.field is not None
                or ARXIV_ID.match(node.text)):
            return None
        return tuple(t for _, t in self.analyze("summary", node.text))

    def word(self, node: Word, ranking: Ranking = DEFAULT_RANKING,
             lookup: Glossary | None = None) -> wq.Query | None:
        """A word or phrase: its terms in every field it may be in, boosted per field."""
        if node.field == "arxiv_id" or (node.field is None and ARXIV_ID.match(node.text)):
            match = ARXIV_ID.match(node.text)
            exact = wq.Term("arxiv_id", (match.group(1) if match else node.text).lower(),
                            boost=10.0)
            if node.field == "arxiv_id":
                return exact
        else:
            exact = None
        fields = (node.field,) if node.field else TEXT_FIELDS
        if node.field is None and not self.analyze("summary", node.text) and exact is None:
            return None  # only particles or stop words: nothing to look for
        per_field: list[wq.Query] = []
        for fieldname in fields:
            tokens = self.analyze(fieldname, node.text)
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
        own_terms = self.expandable_terms(node)
        if lookup is not None and own_terms:
            query = with_translations(query, own_terms, lookup, ranking, node.text)
        return query

    def compile(self, node: Node, ranking: Ranking = DEFAULT_RANKING,
                lookup: Glossary | None = None) -> wq.Query | None:
        """Compile any node; ``None`` where nothing searchable is left (only stop words)."""
        if isinstance(node, Word):
            return self.word(node, ranking, lookup)
        if isinstance(node, Not):
            child = self.compile(node.child, ranking, lookup)
            return wq.Not(child) if child is not None else None
        children = [c for c in (self.compile(child, ranking, lookup) for child in node.children)
                    if c is not None]
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

    ``extras`` are translations of runs of clauses (see :mod:`papersearch.expansion`),
    each with the positions in ``clauses`` of the clauses it stands for.
    """

    clauses: list[tuple[str, wq.Query]]
    notes: list[str] = field(default_factory=list)
    ranking: Ranking = DEFAULT_RANKING
    extras: list[Extra] = field(default_factory=list)

    @property
    def positives(self) -> list[wq.Query]:
        return [q for _, q in self.clauses if not isinstance(q, wq.Not)]

    @property
    def negatives(self) -> list[wq.Query]:
        return [q for _, q in self.clauses if isinstance(q, wq.Not)]

    def strict(self) -> wq.Query | None:
        """Every clause (AND), or most of them for three or more (``Ranking.match_ratio``).

        None when the query had no searchable words.
        """
        if not self.clauses:
            return None
        positive = [i for i, (_, q) in enumerate(self.clauses) if not isinstance(q, wq.Not)]
        need = self.ranking.min_match(len(positive))
        if need >= len(positive) and not self.extras:
            return combine_and([q for _, q in self.clauses])
        slot = {i: k for k, i in enumerate(positive)}
        children = [self.clauses[i][1] for i in positive]
        coverage = [1 << k for k in range(len(positive))]
        for query, covered in self.extras:
            mask = sum(1 << slot[i] for i in covered if i in slot)
            if mask:
                children.append(query)
                coverage.append(mask)
        if not children:
            return combine_and([q for _, q in self.clauses])
        most = CoordinatedOr(children, need, self.ranking.coord_power, coverage=coverage)
        return combine_and([most, *self.negatives])

    def relaxed(self) -> wq.Query | None:
        """Any positive clause (OR), negations kept; None when that would change nothing.

        Plain sums, no coordination: when no paper has most of the words, one rare
        word matched says more than two common ones.
        """
        positives = self.positives + [q for q, _ in self.extras]
        if len(positives) < 2:
            return None
        return combine_and([wq.Or(positives), *self.negatives])

    def without_dead(self, evaluator: Evaluator) -> tuple[Plan, list[str]]:
        """This plan less the positive clauses that match no paper at all, and their text.

        A clause a matching translation stands for is alive.
        """
        live_extras = {i for q, covered in self.extras if evaluator.matches_anything(q)
                       for i in covered}
        live: list[tuple[str, wq.Query]] = []
        dead: list[str] = []
        moved: dict[int, int] = {}
        for i, (text, q) in enumerate(self.clauses):
            if isinstance(q, wq.Not) or i in live_extras or evaluator.matches_anything(q):
                moved[i] = len(live)
                live.append((text, q))
            else:
                dead.append(text)
        extras = [(q, tuple(moved[i] for i in covered if i in moved))
                  for q, covered in self.extras]
        return Plan(live, self.notes, self.ranking, [e for e in extras if e[1]]), dead


def plan(compiler: QueryCompiler, text: str, ranking: Ranking = DEFAULT_RANKING,
         lookup: Glossary | None = None) -> Plan:
    """Parse and compile a query's top-level clauses (clauses of only stop words vanish).

    With a glossary ``lookup``, words that name a glossary entry also find its
    translations (see :mod:`papersearch.expansion`).
    """
    parsed = parse_query(text)
    notes = list(dict.fromkeys(parsed.notes))
    root = parsed.root
    if root is None:
        return Plan([], notes, ranking)
    clauses: list[Clause] = []
    for node in list(root.children) if isinstance(root, And) else [root]:
        q = compiler.compile(node, ranking, lookup)
        if q is not None:
            clauses.append(Clause(describe(node), q, compiler.expandable_terms(node)))
    if lookup is None:
        return Plan([(c.text, c.query) for c in clauses], notes, ranking)
    compiled, extras = expand(clauses, lookup, ranking)
    return Plan(compiled, notes, ranking, extras)


def run_search(searcher: Any, compiler: QueryCompiler, text: str, options: SearchOptions,
               evaluator: Evaluator | None = None) -> SearchResult:
    """Search with an open searcher and build hits.

    The AND of every clause runs first; only when it finds nothing are clauses
    that match no paper dropped (reported as ignored), and if that still finds
    nothing, the OR of the clauses runs (``relaxed``). ``evaluator`` (one per
    searcher) scores the queries and keeps scored postings between searches.
    """
    evaluator = evaluator or Evaluator(searcher)
    lookup = Glossary(searcher.reader(), compiler.loanwords())
    compiled = plan(compiler, text, options.ranking, lookup)
    filt = evaluator.columns.matching(options.since, options.until, options.min_votes,
                                      options.max_votes, options.author)
    if filt is not None and not filt:
        return SearchResult(query=text, total=0, hits=[], notes=compiled.notes,
                            facets=Facets() if options.facets else None)
    vote_weight = options.ranking.vote_weight
    ignored: list[str] = []
    used_relaxed = False
    query = compiled.strict()

    def run(q: wq.Query) -> Ranked:
        return evaluator.top(q, options.limit, vote_weight, filt, options.sort)

    if query is None:
        # No words (only filters, or only stop words): newest papers first.
        results = evaluator.top(wq.Term("kind", KIND_PAPER), options.limit, vote_weight, filt,
                                "votes" if options.sort == "votes" else "date")
        query = wq.NullQuery
    else:
        results = run(query)
        if not results.total and compiled.positives:
            compiled, ignored = compiled.without_dead(evaluator)
            live = compiled.strict()
            if ignored and live is not None and compiled.positives:
                query, results = live, run(live)
            relaxed = compiled.relaxed()
            if not results.total and relaxed is not None:
                query, results, used_relaxed = relaxed, run(relaxed), True
    hits = build_hits(searcher, evaluator, query, results.top, options.ranking,
                      explain=options.explain and query is not wq.NullQuery)
    return SearchResult(query=text, total=results.total, hits=hits, relaxed=used_relaxed,
                        ignored_terms=ignored, notes=compiled.notes,
                        facets=count_facets(evaluator.columns, results.matched)
                        if options.facets else None)


def build_hits(searcher: Any, evaluator: Evaluator, query: wq.Query,
               top: list[tuple[int, float]], ranking: Ranking, explain: bool = False
               ) -> list[Hit]:
    """Hits for ranked ``(docnum, final score)`` pairs, highlighted with ``query``'s terms."""
    terms = highlight_terms(query)
    reader = searcher.reader()
    docnums = [docnum for docnum, _ in top]
    in_titles = posting_spans(reader, docnums, "title", terms, evaluator.contains)
    in_summaries = posting_spans(reader, docnums, "summary", terms, evaluator.contains)
    hits = []
    for docnum, score in top:
        paper = Paper.model_validate_json(searcher.stored_fields(docnum)["record"])
        factor = vote_factor(paper.votes, ranking.vote_weight)
        title_spans = clip_spans(in_titles[docnum], 0, len(paper.title))
        snippet, spans = best_snippet(paper.summary, in_summaries[docnum])
        hits.append(Hit(
            arxiv_id=paper.arxiv_id, title=paper.title, url=paper.url, votes=paper.votes,
            dates=paper.dates, authors=paper.authors,
            score=score, text_score=score / factor, vote_factor=factor, snippet=snippet,
            snippet_highlights=spans, title_highlights=title_spans,
            explanation=_explain(searcher, query, docnum, paper.votes, ranking)
            if explain else None,
        ))
    return hits


def highlight_terms(q: wq.Query) -> set[str]:
    """The title and summary terms a query looks for (not those it excludes)."""
    if isinstance(q, wq.AndNot):
        return highlight_terms(q.a)
    if isinstance(q, wq.Not):
        return set()
    if isinstance(q, (wq.Term, wq.Phrase)):
        words = q.words if isinstance(q, wq.Phrase) else [q.text]
        return set(words) if q.fieldname in {"title", "summary"} else set()
    terms: set[str] = set()
    for child in q.children():
        terms |= highlight_terms(child)
    return terms
