"""Typed records at papersearch's boundaries: what parsing yields, what search returns.

These are pydantic models so that an embedding application gets validated,
JSON-serialisable values (``model_dump(mode="json")``) and the CLI's ``--json``
output is just their dump.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    # Validators are built on first use: a query never builds the parsing models.
    model_config = ConfigDict(frozen=True, defer_build=True)


class Bullet(_Frozen):
    """One summary bullet; ``label`` keeps structure such as ``What's New``."""

    text: str
    label: str | None = None
    level: int = 0  # 0 for a top-level bullet, 1 for a nested ``  - (1)`` one


class DigestEntry(_Frozen):
    """One paper as one day's digest lists it (before merging across days)."""

    arxiv_id: str
    title: str
    raw_title: str
    url: str
    date: dt.date
    votes: int | None = None
    authors: list[str] = Field(default_factory=list)
    bullets: list[Bullet] = Field(default_factory=list)
    image_url: str | None = None
    video_url: str | None = None
    line: int = 0


class ParseIssue(_Frozen):
    """A problem found while reading a digest; ``error`` entries were skipped."""

    path: str
    line: int
    severity: Literal["error", "warning"]
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path  # 0: the whole file
        return f"{where}: {self.severity}: {self.message}"


class Digest(_Frozen):
    """A parsed day file: its day, its entries in file order, and what was wrong."""

    path: str
    day: dt.date
    sha256: str
    entries: list[DigestEntry]
    issues: list[ParseIssue] = Field(default_factory=list)


class Paper(_Frozen):
    """A paper merged over every digest that lists it.

    Text and votes come from the latest listing that has them; ``dates`` holds
    every day the paper was listed, oldest first.
    """

    arxiv_id: str
    title: str
    url: str
    votes: int | None = None
    dates: list[dt.date]
    authors: list[str] = Field(default_factory=list)
    bullets: list[Bullet] = Field(default_factory=list)
    image_url: str | None = None
    video_url: str | None = None
    other_titles: list[str] = Field(default_factory=list)

    @property
    def summary(self) -> str:
        """The bullets as one text, one bullet a line (labels included)."""
        return "\n".join(bullet_line(b) for b in self.bullets)


def bullet_line(bullet: Bullet) -> str:
    """Render a bullet as one line of plain text: ``label: text`` when labelled."""
    return f"{bullet.label}: {bullet.text}" if bullet.label else bullet.text


class FileReport(_Frozen):
    """What ``add`` did with one file."""

    path: str
    status: Literal["added", "updated", "unchanged", "failed", "removed"]
    day: dt.date | None = None
    papers: int = 0
    message: str | None = None


class AddReport(_Frozen):
    """What one ``PaperIndex.add`` call did, file by file and in sum."""

    files: list[FileReport] = Field(default_factory=list)
    issues: list[ParseIssue] = Field(default_factory=list)
    papers_added: int = 0
    papers_updated: int = 0
    papers_removed: int = 0

    def followed_by(self, later: AddReport) -> AddReport:
        """This report and a later one of the same call (an add, then its prune) as one."""
        return AddReport(files=self.files + later.files, issues=self.issues + later.issues,
                         papers_added=self.papers_added + later.papers_added,
                         papers_updated=self.papers_updated + later.papers_updated,
                         papers_removed=self.papers_removed + later.papers_removed)

    def count(self, status: str) -> int:
        """How many files ended with ``status`` (added, updated, unchanged, failed, removed)."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def added(self) -> list[str]:
        return [f.path for f in self.files if f.status == "added"]

    @property
    def updated(self) -> list[str]:
        return [f.path for f in self.files if f.status == "updated"]

    @property
    def skipped(self) -> list[str]:
        """Files whose content was already indexed as it is."""
        return [f.path for f in self.files if f.status == "unchanged"]

    @property
    def failed(self) -> list[str]:
        return [f.path for f in self.files if f.status == "failed"]

    @property
    def removed(self) -> list[str]:
        """Day files gone from the folders given with ``prune``: their days were removed."""
        return [f.path for f in self.files if f.status == "removed"]


Span = tuple[int, int]


class TermScore(_Frozen):
    """What one matched query term (or phrase) added to a hit's text score."""

    field: str
    text: str  # the index term, or a phrase's terms joined by spaces
    score: float  # BM25F with the field's boost (and the expansion weight for a translation)
    translation_of: str | None = None  # the user's words this term translates, if it does
    via: str | None = None  # for another spelling of those words: the translation it came by
    optional: bool = False  # an intent word of the query (``방법``): adds, never required


class Explanation(_Frozen):
    """How a hit's score was made (``search(..., explain=True)``)."""

    fields: dict[str, float]  # each field's share of the text score, before coordination
    terms: list[TermScore]
    clauses: int = 0  # words (top-level clauses) when the query asked for most of them
    matched_clauses: int = 0
    coordination: float = 1.0  # (matched / clauses) ** power; 1.0 when all were required
    votes: int | None = None
    vote_weight: float  # this search's weight of votes (more for a long description)
    vote_factor: float = 1.0
    text_score: float  # the terms' scores times coordination, plus the intent words' scores
    score: float  # text_score times vote_factor


class Hit(_Frozen):
    """One ranked search result."""

    arxiv_id: str
    title: str
    url: str
    votes: int | None
    dates: list[dt.date]
    authors: list[str]
    score: float
    text_score: float
    vote_factor: float
    snippet: str
    snippet_highlights: list[Span] = Field(default_factory=list)
    title_highlights: list[Span] = Field(default_factory=list)
    partial: bool = False  # matches only part of the query (shown after the full matches)
    explanation: Explanation | None = None  # with search(..., explain=True)


class FacetCount(_Frozen):
    """How many matching papers have this facet value (a month, an author)."""

    value: str
    count: int


class VoteBucket(FacetCount):
    """Matching papers with votes in [min_votes, max_votes] (no upper bound when None)."""

    min_votes: int
    max_votes: int | None


class Facets(_Frozen):
    """Counts over every paper a search matched (not only the hits returned)."""

    months: list[FacetCount] = Field(default_factory=list)  # "YYYY-MM", newest first
    authors: list[FacetCount] = Field(default_factory=list)  # most papers first
    votes: list[VoteBucket] = Field(default_factory=list)  # fewest votes first
    unknown_votes: int = 0  # matching papers whose digest gave no vote count


SortOrder = Literal["relevance", "votes", "date"]
"""How hits are ordered: ``relevance`` (BM25F blended with votes), ``votes`` (most first)
or ``date`` (newest listing first)."""
SORT_ORDERS: tuple[SortOrder, ...] = get_args(SortOrder)


class SearchOptions(_Frozen):
    """Everything besides the query text that shapes a search.

    One model for the library's keyword arguments (``index.search(q, limit=5)`` builds
    one), the CLI's options and the API's parameters, so each is validated and defaulted
    in one place. ``offset`` skips that many hits (the next page starts at the result's
    ``next_offset``). ``since``/``until`` keep papers listed on a day in that range
    (inclusive); ``min_votes``/``max_votes`` papers with votes in that range (unknown
    votes excluded); ``author`` papers with an author of exactly that name (any case).
    ``vote_weight`` replaces the index's weight of votes in ranking for this search.
    ``explain`` adds to each hit how its score was made; ``facets`` counts every match by
    month, author and votes; ``did_you_mean`` suggests a corrected query when this one
    finds little, and ``correct`` searches that correction instead when this one finds
    nothing and every changed word is long enough to be sure of (see
    :func:`papersearch.discovery.spelling.confident_correction`).
    """

    model_config = ConfigDict(frozen=True, defer_build=True, extra="forbid")

    limit: Annotated[int, Field(ge=1)] = 10
    offset: Annotated[int, Field(ge=0)] = 0
    sort: SortOrder = "relevance"
    since: dt.date | None = None
    until: dt.date | None = None
    min_votes: Annotated[int | None, Field(ge=0)] = None
    max_votes: Annotated[int | None, Field(ge=0)] = None
    author: str | None = None
    vote_weight: Annotated[float | None, Field(ge=0)] = None
    explain: bool = False
    facets: bool = True
    did_you_mean: bool = True
    correct: bool = True


class SearchResult(_Frozen):
    """Hits in rank order plus what the engine made of the query."""

    query: str
    total: int
    hits: list[Hit]
    offset: int = 0  # hits of this order skipped before these (paging)
    next_offset: int | None = None  # the offset of the next page; None on the last one
    relaxed: bool = False  # no paper matched the whole query; these match part of it
    partial: int = 0  # papers matching only part of the query (shown after the full matches)
    ignored_terms: list[str] = Field(default_factory=list)  # words found nowhere
    notes: list[str] = Field(default_factory=list)  # how odd syntax was read ("unbalanced '('")
    facets: Facets | None = None  # with search(..., facets=True), the default
    did_you_mean: str | None = None  # a corrected query that finds more, when this found little
    # The query as typed, when it found nothing and these hits are its correction's (the
    # correction is then ``query``); search again with correct=False to have it as typed.
    corrected_from: str | None = None

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, i: int) -> Hit:
        return self.hits[i]

    def __iter__(self) -> Iterator[Hit]:  # type: ignore[override]
        """Iterate over the hits (not the model's fields)."""
        return iter(self.hits)


class SimilarResult(_Frozen):
    """The papers most like one paper, best first, and the terms they were found by."""

    arxiv_id: str
    title: str
    terms: list[str]  # the paper's key index terms (stemmed for English), most telling first
    hits: list[Hit]

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:  # type: ignore[override]
        """Iterate over the hits (not the model's fields)."""
        return iter(self.hits)


class Suggestion(_Frozen):
    """A word from the index that completes a typed prefix, and how many papers use it."""

    text: str
    papers: int


class IndexStats(_Frozen):
    """Size and provenance of an index."""

    path: str
    papers: int
    days: int
    first_date: dt.date | None
    last_date: dt.date | None
    size_bytes: int
    papersearch_version: str
    schema_version: int
