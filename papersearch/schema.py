"""The Whoosh schema of a papersearch index, and the version it is stamped with.

One index holds three kinds of document, told apart by ``kind``:

- ``paper``: one per arXiv id, merged over every day that lists it; the
  searchable fields plus the full record as JSON for display.
- ``day``: one per digest day, holding that day's parsed entries and the
  digest's hash, so re-adding a file is a no-op and a changed day can be
  replaced without re-reading any other file.
- ``meta``: one, with the papersearch and schema versions that built the index.

All three live in one index so that a commit changes them together or not at all.
"""

from __future__ import annotations

import datetime as dt

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from papersearch.analysis import TextAnalyzer, author_analyzer, text_analyzer

# Bump when the schema, the analysis chain or the stored record changes in a
# way an existing index cannot serve; open() then asks for a rebuild. (A change of
# the loanword lexicon alone is caught by its digest in the meta document.)
SCHEMA_VERSION = 12

KIND_PAPER = "paper"
KIND_DAY = "day"
KIND_META = "meta"
META_KEY = "meta"

# Field names a query may name with a prefix, and the index field each one means.
QUERY_FIELDS = {
    "title": "title",
    "summary": "summary",
    "author": "authors",
    "authors": "authors",
    "id": "arxiv_id",
    "arxiv": "arxiv_id",
}


def paper_key(arxiv_id: str) -> str:
    return f"paper:{arxiv_id}"


def day_key(day: str) -> str:
    return f"day:{day}"


def day_of_key(key: str) -> str:
    """The day (``YYYY-MM-DD``) of a day document's key: :func:`day_key` undone."""
    return key.removeprefix("day:")


def day_number(day: dt.date) -> int:
    """A day as the ``first_date``/``last_date`` columns hold it: YYYYMMDD, so that
    numeric order is date order and ``// 100`` is the month."""
    return day.year * 10000 + day.month * 100 + day.day


def month_of(number: int) -> str:
    """``YYYY-MM`` of a :func:`day_number`."""
    return f"{number // 10000:04d}-{number // 100 % 100:02d}"


def build_schema(analyzer: TextAnalyzer | None = None) -> Schema:
    """A fresh schema: text fields share one analyzer (``analyzer``, by default
    :func:`~papersearch.analysis.text_analyzer`), so a query reads the same in each."""
    text = analyzer if analyzer is not None else text_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True),
        arxiv_id=ID(stored=True),
        # chars=True: postings keep character offsets, so hits are highlighted
        # from the index without analyzing their text again.
        title=TEXT(analyzer=text, stored=True, phrase=True, chars=True),
        summary=TEXT(analyzer=text, stored=True, phrase=True, chars=True),
        authors=TEXT(analyzer=author_analyzer(), stored=True, phrase=True),
        # The Korean-English term pairs the summary glosses, each as "ko:보상 모델|reward
        # model" and "en:reward model|보상 모델" (see analysis/glossary.py); a term's document
        # frequency is the number of papers that gloss it so.
        glossary=KEYWORD(commas=True, lowercase=False, scorable=False),
        # The paper's distinct words as people type them (강화학습, diffusion), unstemmed
        # (analysis.SurfaceWordFilter), space separated in UTF-8: their document
        # frequencies rank prefix suggestions and did-you-mean corrects towards them
        # (discovery/vocabulary.py). A column, not postings: read whole once per index version,
        # and postings for them cost 40% more indexing time in Whoosh's writer.
        words=COLUMN(VarBytesColumn()),
        # The author names, newline separated in UTF-8, for the author facet and filter
        # (search/columns.py): one column read instead of a stored-fields read per paper.
        author_list=COLUMN(VarBytesColumn()),
        # Every day the paper was listed, "YYYY-MM-DD,..." (search/columns.py reads it for
        # papers listed before and after a date range; nothing searches it).
        dates=STORED(),
        # Votes, and the first and latest listing days as YYYYMMDD: sorting and the
        # filters read them from columns (search/columns.py), never by range queries, so
        # each value is one term (shift_step=0), not eight precision tiers: those
        # were 15% of all postings, each written, merged and length-checked.
        # -1 means unknown, so sorting puts unknown last and min-votes excludes it.
        votes=NUMERIC(int, bits=32, signed=True, stored=True, sortable=True, shift_step=0),
        first_date=NUMERIC(int, bits=32, stored=True, sortable=True, shift_step=0),
        last_date=NUMERIC(int, bits=32, stored=True, sortable=True, shift_step=0),
        # the Paper as JSON (papers), the day's entries (days), or the loanword lexicon as
        # this index's analyzer reads it (meta; search/expansion.py Loanwords)
        record=STORED(),
        sha256=STORED(),   # the digest's hash (days)
        source=STORED(),   # the digest's path (days)
        days=STORED(),     # the days that list this paper, comma-separated (papers)
        version=STORED(),  # papersearch version (meta)
        schema_version=STORED(),  # SCHEMA_VERSION (meta)
        lexicon=STORED(),  # the loanword lexicon's digest (meta): it shapes the terms
    )
