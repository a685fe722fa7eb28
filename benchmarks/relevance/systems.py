"""The systems the relevance benchmark compares, over the same papers and fields.

Every system indexes a paper's title (with its other spellings), its summary
bullets and its authors, weights the fields as papersearch does (title 2.0,
summary 1.0, authors 1.5), and answers a query with the AND of its words,
falling back to their OR when no paper has every word (what papersearch does;
a baseline without the fallback would lose on recall for a reason unrelated
to its analysis).

- ``papersearch``: ``PaperIndex.search`` with its defaults.
- ``whoosh-standard``: Whoosh's StandardAnalyzer (regex words, lowercase, stop
  words), BM25F: what a user of plain Whoosh gets, no Korean analysis.
- ``fts5-unicode61`` and ``fts5-trigram``: SQLite FTS5 with those tokenizers,
  ranked by ``bm25()`` with the same column weights. Trigram matches substrings of
  three characters or more; shorter query words cannot match and are dropped.
- ``bigram``: Hangul runs cut into overlapping character bigrams, other text into
  lowercased words (Lucene's CJKAnalyzer), BM25F in Whoosh.

The two strongest simple competitors have papersearch's own basic ingredient, Korean
morphology, and nothing else: no fields, no AND, no coordination, glossary or votes.

- ``mecab-bm25``: plain BM25 (bm25s, Lucene variant, k1 1.5, b 0.75) over the MeCab
  content morphemes of title, summary and author names as one text, through
  papersearch's MeCab chain as plain mecab-ko-dic splits it (no loanword lexicon); the
  query's morphemes are ORed. This is the 40-line script a user would write first.
- ``mecab+bigram-bm25``: the same, plus the Hangul character bigrams of every word, so a
  word MeCab chops (할루시네이션) is still matched by its bigrams.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, StandardAnalyzer, Token, Tokenizer
from whoosh.fields import ID, TEXT, Schema
from whoosh.scoring import BM25F

from papersearch.analysis import normalize_unicode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from papers import papers_of

BOOSTS = {"title": 2.0, "summary": 1.0, "authors": 1.5}
FIELDS = tuple(BOOSTS)


class System(Protocol):
    name: str

    def search(self, query: str, limit: int) -> list[str]:
        """The arXiv ids of the best ``limit`` papers, best first."""
        ...


# -- papersearch -----------------------------------------------------------------------------------

class PaperSearch:
    """papersearch itself; ``options`` go to every ``PaperIndex.search`` call."""

    def __init__(self, index_dir: Path, name: str = "papersearch", **options: Any) -> None:
        from papersearch import PaperIndex

        self.name = name
        self.index = PaperIndex.open(index_dir)
        self.options = options

    def search(self, query: str, limit: int) -> list[str]:
        result = self.index.search(query, limit=limit, **self.options)
        return [hit.arxiv_id for hit in result.hits]


# -- Whoosh baselines ------------------------------------------------------------------------------

_HANGUL = r"\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
_RUNS = re.compile(rf"[{_HANGUL}]+|[^\W_{_HANGUL}]+", re.UNICODE)


class CJKBigramTokenizer(Tokenizer):  # type: ignore[misc]
    """Hangul runs as overlapping bigrams (a lone syllable as itself), other runs as words."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in _RUNS.finditer(normalize_unicode(value)):
            run = match.group()
            if re.match(rf"[{_HANGUL}]", run) and len(run) > 1:
                pieces = [(run[i:i + 2], match.start() + i) for i in range(len(run) - 1)]
            else:
                pieces = [(run, match.start())]
            for text, offset in pieces:
                token.text = token.original = text
                token.stopped = False
                token.boost = 1.0
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + offset
                    token.endchar = start_char + offset + len(text)
                pos += 1
                yield token


def bigram_analyzer() -> Any:
    return CJKBigramTokenizer() | LowercaseFilter()


class WhooshBaseline:
    """BM25F in plain Whoosh with one analyzer on every field."""

    def __init__(self, name: str, analyzer: Any, index_dir: Path,
                 papers: Iterable[dict[str, Any]] | None) -> None:
        self.name = name
        self.analyzer = analyzer
        if papers is not None:
            schema = Schema(id=ID(stored=True, unique=True),
                            **{f: TEXT(analyzer=analyzer) for f in FIELDS})
            index_dir.mkdir(parents=True, exist_ok=True)
            ix = windex.create_in(str(index_dir), schema)
            writer = ix.writer(limitmb=256)
            for paper in papers:
                writer.add_document(**{k: paper[k] for k in ("id", *FIELDS)})
            writer.commit()
        self.ix = windex.open_dir(str(index_dir))
        self.searcher = self.ix.searcher(weighting=BM25F())

    def words(self, query: str) -> list[list[str]]:
        """The query's words, each as the terms the analyzer makes of it."""
        out = []
        for word in normalize_unicode(query).split():
            terms = [t.text for t in self.analyzer(word, mode="query") if not t.stopped]
            if terms:
                out.append(terms)
        return out

    def search(self, query: str, limit: int) -> list[str]:
        clauses = []
        for terms in self.words(query):
            per_field = [wq.And([wq.Term(f, t, boost=BOOSTS[f]) for t in terms])
                         for f in FIELDS]
            clauses.append(wq.Or(per_field))
        if not clauses:
            return []
        for combine in (wq.And, wq.Or):
            results = self.searcher.search(combine(clauses), limit=limit)
            if results.scored_length():
                return [hit["id"] for hit in results]
        return []


def whoosh_standard(index_dir: Path, papers: Iterable[dict[str, Any]] | None) -> WhooshBaseline:
    return WhooshBaseline("whoosh-standard", StandardAnalyzer(), index_dir, papers)


def cjk_bigram(index_dir: Path, papers: Iterable[dict[str, Any]] | None) -> WhooshBaseline:
    return WhooshBaseline("bigram", bigram_analyzer(), index_dir, papers)


# -- SQLite FTS5 -----------------------------------------------------------------------------------

class FTS5Baseline:
    """An FTS5 table (title, summary, authors) with one tokenizer, ranked by bm25()."""

    def __init__(self, tokenizer: str, db: Path, papers: Iterable[dict[str, Any]] | None) -> None:
        self.name = f"fts5-{tokenizer}"
        self.tokenizer = tokenizer
        self.conn = sqlite3.connect(str(db), check_same_thread=False)
        if papers is not None:
            self.conn.execute("DROP TABLE IF EXISTS papers")
            self.conn.execute("CREATE VIRTUAL TABLE papers USING fts5(id UNINDEXED, title, "
                              f"summary, authors, tokenize='{tokenizer}')")
            self.conn.executemany("INSERT INTO papers VALUES (?, ?, ?, ?)",
                                  [(p["id"], p["title"], p["summary"], p["authors"])
                                   for p in papers])
            self.conn.commit()

    def words(self, query: str) -> list[str]:
        words = normalize_unicode(query).split()
        if self.tokenizer == "trigram":
            words = [w for w in words if len(w) >= 3]
        # Each word as a quoted string: FTS5 syntax characters are not operators here.
        return ['"' + w.replace('"', '""') + '"' for w in words]

    def search(self, query: str, limit: int) -> list[str]:
        words = self.words(query)
        if not words:
            return []
        weights = ", ".join(str(BOOSTS[f]) for f in FIELDS)
        for joiner in (" AND ", " OR "):
            rows = self.conn.execute(
                f"SELECT id FROM papers WHERE papers MATCH ? ORDER BY bm25(papers, 0, {weights}) "
                "LIMIT ?", (joiner.join(words), limit)).fetchall()
            if rows:
                return [row[0] for row in rows]
        return []


# -- plain BM25 over MeCab morphemes (bm25s) ----------------------------------------------------

class MecabBM25:
    """Plain BM25 (bm25s, Lucene variant) over MeCab morphemes, the query's terms ORed.

    ``bigrams`` adds each Hangul run's character bigrams (marked ``#``) to the morphemes,
    of documents and queries alike. The documents' morphemes are cached under ``work``.
    """

    def __init__(self, work: Path, papers: Iterable[dict[str, Any]] | None,
                 bigrams: bool = False) -> None:
        import json

        import bm25s

        from papersearch.analysis import plain_text_analyzer

        self.name = "mecab+bigram-bm25" if bigrams else "mecab-bm25"
        self.analyzer = plain_text_analyzer()
        self.bigrams = bigrams
        cache = work / "mecab-bm25-texts.json"
        if papers is not None or not cache.exists():
            texts = {p["id"]: "\n".join([p["title"], p["summary"], p["authors"]])
                     for p in (papers if papers is not None else [])}
            cache.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        texts = json.loads(cache.read_text(encoding="utf-8"))
        self.ids = list(texts)
        self.retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
        self.retriever.index([self.terms(texts[i]) for i in self.ids], show_progress=False)

    def terms(self, text: str) -> list[str]:
        """The chain's query-mode terms (content morphemes, compounds as their parts), and
        with ``bigrams`` the Hangul bigrams."""
        text = normalize_unicode(text)
        terms = [t.text for t in self.analyzer(text, mode="query") if not t.stopped]
        return terms + ["#" + b for b in hangul_bigrams(text)] if self.bigrams else terms

    def search(self, query: str, limit: int) -> list[str]:
        terms = self.terms(query)
        if not terms:
            return []
        docs, scores = self.retriever.retrieve([terms], k=min(limit, len(self.ids)),
                                               show_progress=False)
        return [self.ids[d] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


def hangul_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of every Hangul run (a lone syllable as itself)."""
    out: list[str] = []
    for run in _HANGUL_RUN.findall(normalize_unicode(text)):
        out += [run[i:i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]
    return out


def build_baselines(work: Path, corpus: Path, reuse: bool) -> list[System]:
    """The four baselines, built under ``work`` (or reopened there with ``reuse``)."""
    papers: list[dict[str, Any]] | None = None
    if not reuse or not all((work / name).exists() for name in ("bigram", "mecab-bm25-texts.json")):
        papers = list(papers_of(corpus))
    return [
        MecabBM25(work, papers),
        MecabBM25(work, None, bigrams=True),
        whoosh_standard(work / "whoosh-standard", papers),
        FTS5Baseline("unicode61", work / "fts5-unicode61.db", papers),
        FTS5Baseline("trigram", work / "fts5-trigram.db", papers),
        cjk_bigram(work / "bigram", papers),
    ]
