"""Alignment: the English title word a Korean summary word stands for, from co-occurrence.

Every paper is a small parallel text: an English title over a Korean summary of the
same paper. A Korean word whose papers' titles keep using one English word is that
word's translation (추론 -> reasoning: 344 of the 1,385 papers whose summary says 추론
have "reason" in their title, against 379 such titles among all 5,487 papers).
The digests rarely gloss such everyday words (``추론(reasoning)``: 11 papers, under the
share the mined glossary asks of a gloss), so without this a Korean query never
reaches the English titles where a paper names its topic.

For each Korean summary term and English title term in enough papers, it counts the
papers having both. A pair is kept when the two are strongly associated by both of
two measures: the Dice coefficient (``2 * both / (papers_ko + papers_en)``: the words
tend to come together) and lift (``both * N / (papers_ko * papers_en)``: more often
than their frequencies predict, which rejects 학습 -> model, two words in most
papers). Each Korean term keeps its best English term by Dice, except a loanword:
a Korean word that spells a title word as heard (라우팅: routing, 프롬프트: prompt;
:mod:`papersearch.analysis.transliteration`) keeps that word when the two come together
often enough, even where its topic's word is commoner in its titles (라우팅 papers'
titles say "mixture" more than "routing"). A one-syllable Korean term keeps a pair only
when it spells that word (웹: web): most are pieces of split words (구글 -> 구 + 글), and
글 -> gemini would translate every 글 of a query. The pairs join the
glossary's translations (:mod:`papersearch.search.expansion`), one way: Korean to
English.

Counting reads every Korean summary posting and title posting once (0.6 s at 5,487
papers, 4 s at ten times that), so an index keeps the result in a file
(:func:`stored_alignment`), refreshed when a tenth of its papers changed, like the
vocabulary file.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from papersearch.analysis.hangul import SYLLABLES
from papersearch.analysis.transliteration import MIN_KEY, english_keys, hangul_key, spells
from papersearch.cachefiles import write_atomically
from papersearch.schema import KIND_PAPER

MIN_PAPERS = 5
"""Papers a Korean term, and a pair, must be in to count."""
MIN_TITLE_PAPERS = 3
"""Titles an English term must be in to count."""
MIN_DICE = 0.15
MIN_HEARD_DICE = 0.05
"""The Dice a Korean word and the title word it spells as heard need (a third of MIN_DICE)."""
MIN_LIFT = 2.5
MIN_INDEX_PAPERS = 200
"""Below this many papers, co-occurrence says nothing: no pairs."""
PAIRS_AT_ONCE = 1_000_000
"""(Korean posting, title term) pairs counted at a time: bounds the memory counting takes."""
SETTINGS = (f"papers {MIN_PAPERS} titles {MIN_TITLE_PAPERS} dice {MIN_DICE} lift {MIN_LIFT}"
            f" heard {MIN_HEARD_DICE} syllable spelled letters 2")

FILE_NAME = "papersearch-alignment.json"
"""The pairs of an index, in its directory (Whoosh leaves files of other names alone)."""

_HANGUL_TERM = re.compile(f"^[{SYLLABLES}]+$")
_LATIN_TERM = re.compile(r"^[a-z][a-z0-9]+$")  # one letter is a piece: 3D -> 3 + d


class Alignment:
    """Korean summary terms and the English title term each stands for."""

    def __init__(self, pairs: dict[str, str], papers: int = 0) -> None:
        self.pairs = pairs
        self.papers = papers  # how many papers the index had when they were counted

    def __len__(self) -> int:
        return len(self.pairs)

    def get(self, terms: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The English of a one-term Korean word, as the glossary's translations go."""
        if len(terms) != 1 or terms[0] not in self.pairs:
            return []
        return [(self.pairs[terms[0]],)]

    @classmethod
    def count(cls, reader: Any) -> Alignment:
        """Count the pairs of ``reader``'s papers (see the module docstring)."""
        papers = int(reader.doc_frequency("kind", KIND_PAPER))
        if papers < MIN_INDEX_PAPERS or "summary" not in reader.schema:
            return cls({}, papers)
        korean, ko_rows, ko_docs = _postings(reader, "summary", _HANGUL_TERM, MIN_PAPERS)
        english, en_rows, en_docs = _postings(reader, "title", _LATIN_TERM, MIN_TITLE_PAPERS)
        if not korean or not english:
            return cls({}, papers)
        # each document's title terms, to pair with each Korean term of its summary
        order = np.argsort(en_docs, kind="stable")
        by_doc, terms_of_doc = en_docs[order], en_rows[order]
        size = int(max(ko_docs.max(), en_docs.max())) + 1
        starts = np.searchsorted(by_doc, np.arange(size))
        counts = np.searchsorted(by_doc, np.arange(size), side="right") - starts
        ko_papers = np.bincount(ko_rows, minlength=len(korean))
        en_papers = np.bincount(en_rows, minlength=len(english))
        best: dict[int, tuple[float, int]] = {}
        heard = _sounds_alike(korean, english)
        sounds: dict[int, tuple[float, int]] = {}
        # a slice of the Korean postings at a time: the pairs of all of them at once
        # would take memory in proportion to the index (several hundred MB at 50,000
        # papers)
        repeat = counts[ko_docs]
        ends = np.cumsum(repeat)
        begin = 0
        while begin < len(ko_docs):
            stop = max(begin + 1, int(np.searchsorted(ends, ends[begin] - repeat[begin]
                                                      + PAIRS_AT_ONCE, side="right")))
            stop = _term_boundary(ko_rows, stop)
            _pick(best, sounds, heard, ko_rows[begin:stop], ko_docs[begin:stop],
                  repeat[begin:stop], starts, terms_of_doc, len(english), ko_papers,
                  en_papers, papers)
            begin = stop
        best.update(sounds)
        return cls({korean[k]: english[e] for k, (_, e) in sorted(best.items())
                    if len(korean[k]) > 1 or spells(korean[k], english[e])}, papers)

    def to_json(self) -> str:
        from papersearch import __version__

        return json.dumps({"version": __version__, "settings": SETTINGS,
                           "papers": self.papers, "pairs": self.pairs},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Alignment:
        """The pairs :meth:`to_json` wrote by this papersearch with these settings
        (ValueError for anything else)."""
        from papersearch import __version__

        try:
            data = json.loads(text)
            if data["version"] != __version__ or data["settings"] != SETTINGS:
                raise ValueError("made by another papersearch")
            pairs = {str(k): str(v) for k, v in data["pairs"].items()}
            return cls(pairs, int(data["papers"]))
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not an alignment file: {exc}") from exc


def _term_boundary(rows: Any, stop: int) -> int:
    """``stop`` moved forward to where a term's postings end (rows are grouped by term)."""
    if stop >= len(rows):
        return len(rows)
    return int(np.searchsorted(rows, rows[stop - 1], side="right"))


def _sounds_alike(korean: list[str], english: list[str]) -> dict[int, set[int]]:
    """For each Korean term that spells an English title term as heard (프롬프트: prompt,
    라우팅: rout; :mod:`papersearch.analysis.transliteration`), those English terms.

    A title term is a stem, so its key may be the start of the Korean word's. A key of
    two consonants says little (gs, valu), so it counts only for a Korean word of three
    syllables or more whose key it nearly covers (라우팅 L T NG: rout L T)."""
    starting: dict[str, list[int]] = {}  # a key, or its start of 2+ consonants -> terms
    for k, term in enumerate(korean):
        parts = hangul_key(term).split()
        if len(parts) < MIN_KEY:
            continue
        for size in range(2, len(parts) + 1):
            if size >= MIN_KEY or (len(term) >= 3 and size >= len(parts) - 1):
                starting.setdefault(" ".join(parts[:size]), []).append(k)
    heard: dict[int, set[int]] = {}
    for e, term in enumerate(english):
        for key in english_keys(term):
            for k in starting.get(key, ()):
                heard.setdefault(k, set()).add(e)
    return heard


def _pick(best: dict[int, tuple[float, int]], sounds: dict[int, tuple[float, int]],
          heard: dict[int, set[int]], ko_rows: Any, ko_docs: Any, repeat: Any,
          starts: Any, terms_of_doc: Any, english: int, ko_papers: Any, en_papers: Any,
          papers: int) -> None:
    """Count the pairs of a slice of the Korean postings (whole terms) and keep in ``best``
    each Korean term's best English term by Dice, among the pairs that qualify; and in
    ``sounds``, for a Korean word that spells a title word as heard, that word if they
    come together often enough (lift and papers, a third of the Dice: 라우팅 is routing,
    however often mixture-of-experts titles say "mixture" instead)."""
    first = np.repeat(starts[ko_docs] - np.cumsum(np.r_[0, repeat[:-1]]), repeat)
    title_terms = terms_of_doc[first + np.arange(int(repeat.sum()))]
    keys = np.repeat(ko_rows, repeat) * english + title_terms
    pairs, both = np.unique(keys, return_counts=True)
    ko, en = pairs // english, pairs % english
    dice = 2 * both / (ko_papers[ko] + en_papers[en])
    lift = both * papers / (ko_papers[ko] * en_papers[en])
    together = (both >= MIN_PAPERS) & (lift >= MIN_LIFT) & (dice >= MIN_HEARD_DICE)
    keep = together & (dice >= MIN_DICE)
    for k, e, d in zip(ko[keep].tolist(), en[keep].tolist(), dice[keep].tolist(),
                       strict=True):
        if k not in best or d > best[k][0]:
            best[k] = (d, e)
    for k, e, d in zip(ko[together].tolist(), en[together].tolist(),
                       dice[together].tolist(), strict=True):
        if e in heard.get(k, ()) and (k not in sounds or d > sounds[k][0]):
            sounds[k] = (d, e)


def _postings(reader: Any, fieldname: str, pattern: re.Pattern[str], least: int
              ) -> tuple[list[str], Any, Any]:
    """The terms of ``fieldname`` matching ``pattern`` in at least ``least`` documents,
    and their postings as two parallel arrays: term number, document number."""
    terms: list[str] = []
    rows: list[Any] = []
    docs: list[Any] = []
    for term in _terms(reader, fieldname):
        if not pattern.match(term) or reader.doc_frequency(fieldname, term) < least:
            continue
        ids = np.fromiter(reader.postings(fieldname, term).all_ids(), dtype=np.int64)
        if len(ids) < least:  # deleted papers still count in doc_frequency
            continue
        rows.append(np.full(len(ids), len(terms), dtype=np.int64))
        docs.append(ids)
        terms.append(term)
    if not terms:
        return [], np.zeros(0, np.int64), np.zeros(0, np.int64)
    return terms, np.concatenate(rows), np.concatenate(docs)


def _terms(reader: Any, fieldname: str) -> Iterable[str]:
    for term in reader.lexicon(fieldname):
        yield term.decode("utf-8") if isinstance(term, bytes) else term


def stored_alignment(directory: Path, reader: Any, *, refresh: bool = False) -> Alignment:
    """The index's pairs: from its file in ``directory`` if there is one written by this
    papersearch (counted at an earlier version of the index is fine: co-occurrence
    changes slowly, and :meth:`~papersearch.PaperIndex.add` counts again once a tenth of
    the papers changed), else, or with ``refresh``, counted from ``reader`` and written
    there. A file that cannot be read is counted again; one that cannot be written (a
    read-only directory, a full disk) is not written."""
    path = directory / FILE_NAME
    if not refresh:
        try:
            return Alignment.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            pass
    alignment = Alignment.count(reader)
    with contextlib.suppress(OSError):  # a cache: the next reader counts again
        write_atomically(path, [alignment.to_json().encode("utf-8")])
    return alignment
