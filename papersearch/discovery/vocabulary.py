"""The vocabulary of an index: every word its papers use, and in how many papers.

Words are surface forms as people type them (``강화학습``, ``diffusion``), read
from the ``words`` column (see :class:`papersearch.analysis.SurfaceWordFilter`)
once per version of the index and then shared by every thread. They serve
prefix suggestions for a search box and the corrections of did-you-mean, both
compared as jamo (:mod:`papersearch.analysis.hangul`) so that a Korean word half typed
or one jamo off still meets its word.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from papersearch.analysis.hangul import decompose, edit_distance, is_hangul, typing_prefixes
from papersearch.search.columns import column_values

MIN_PAPERS_TO_CORRECT_TO = 2
"""A word did-you-mean may correct to is used by at least this many papers..."""
LARGE = 20_000
"""...in a vocabulary of more words than this (in a small one, every word may be meant)."""


class Vocabulary:
    """Words and the number of papers using each; immutable, safe to share between threads."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self._counts = dict(counts)
        ordered = sorted((decompose(word), word) for word in self._counts)
        self._keys = [key for key, _ in ordered]
        self._words = [word for _, word in ordered]
        self._deletions: dict[str, list[int]] | None = None

    @classmethod
    def read(cls, reader: Any) -> Vocabulary:
        """The vocabulary of an index reader (its ``words`` column, segment by segment)."""
        return cls(words_in(reader))

    def __len__(self) -> int:
        return len(self._counts)

    def count(self, word: str) -> int:
        """How many papers use ``word`` (lowercase, NFC), 0 for none."""
        return self._counts.get(word, 0)

    def complete(self, prefix: str, limit: int = 10,
                 whole: Callable[[str], bool] | None = None) -> list[tuple[str, int]]:
        """The ``limit`` words most papers use among those starting with ``prefix``.

        Compared as jamo, so a syllable still being typed counts: ``강화하`` and
        ``강화핛`` both lead to ``강화학습``. With ``whole`` (does the dictionary know
        this word as one?), pieces of chopped words are left out (see :meth:`_fragment`).
        """
        found: dict[int, None] = {}
        for key in typing_prefixes(prefix.strip().lower()):
            if not key:
                continue
            low = bisect_left(self._keys, key)
            high = bisect_left(self._keys, key + "\U0010ffff", lo=low)
            found.update(dict.fromkeys(range(low, high)))
        counts, words = self._counts, self._words
        # The index order is the jamo order, so a word's longer forms follow it directly.
        kept = [i for i in sorted(found) if whole is None or not self._fragment(i, found, whole)]
        best = heapq.nsmallest(limit, kept, key=lambda i: (-counts[words[i]], self._keys[i]))
        return [(words[i], counts[words[i]]) for i in best]

    def _fragment(self, i: int, found: Mapping[int, None], whole: Callable[[str], bool]
                  ) -> bool:
        """Whether word ``i`` is a piece MeCab chopped off a longer Korean word it did not
        know (트랜스파일레 of 트랜스파일레이션): a Hangul word the dictionary does not know
        as one word, that a longer word of the vocabulary begins with, used by at least
        as many papers. Real words are known (탐지 beside 탐지기) or used more than their
        longer forms (트랜스포머 260, 트랜스포머들 1)."""
        word = self._words[i]
        if not is_hangul(word):
            return False
        count = self._counts[word]
        key = self._keys[i]
        j = i + 1
        while j in found and self._keys[j].startswith(key):
            if len(self._words[j]) > len(word) and self._words[j].startswith(word) \
                    and self._counts[self._words[j]] >= count:
                return not whole(word)
            j += 1
        return False

    def near(self, word: str) -> list[tuple[str, int, int]]:
        """Words close to ``word`` in jamo, as (word, distance, papers), closest and most used
        first; ``word`` itself is left out.

        Distance is at most 1 for words of up to five jamo or letters, else 2. Candidates
        come from a table of each word with one jamo deleted (SymSpell's idea): every
        word one edit away is found, and those two edits away that the table reaches;
        only words at least :data:`MIN_PAPERS_TO_CORRECT_TO` papers use.
        """
        key = decompose(word)
        if not key:
            return []
        limit = 1 if len(key) <= 5 else 2
        deletions = self._deletion_table()
        seen: set[int] = set()
        for probe in {key, *_deletes(key)}:
            seen.update(deletions.get(probe, ()))
        out = []
        for i in seen:
            candidate = self._words[i]
            if candidate == word:
                continue
            distance = edit_distance(key, self._keys[i], limit)
            if distance <= limit:
                out.append((candidate, distance, self._counts[candidate]))
        out.sort(key=lambda item: (item[1], -item[2], item[0]))
        return out

    def _deletion_table(self) -> dict[str, list[int]]:
        """Each word's jamo key, and the key less each one jamo, to the word's slot.

        Built on first use, of the words at least :data:`MIN_PAPERS_TO_CORRECT_TO` papers
        use when the vocabulary is :data:`LARGE` (20,791 of the corpus's 50,831 words;
        the rest are in one paper each and poor corrections): about 0.25 s, not 0.6 s.
        """
        if self._deletions is None:
            table: dict[str, list[int]] = {}
            least = MIN_PAPERS_TO_CORRECT_TO if len(self._counts) > LARGE else 1
            for i, key in enumerate(self._keys):
                if len(key) < 2 or self._counts[self._words[i]] < least:
                    continue
                for probe in {key, *_deletes(key)}:
                    table.setdefault(probe, []).append(i)
            self._deletions = table  # one assignment: a racing thread builds an equal table
        return self._deletions


def _deletes(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def words_in(reader: Any, docs: Collection[int] | None = None) -> Counter[str]:
    """How many papers use each word: of ``docs`` (global document numbers), or of every
    paper the reader holds (deleted ones left out either way)."""
    counts: Counter[str] = Counter()
    wanted = docs if docs is None or isinstance(docs, AbstractSet) else set(docs)
    deleted = reader.has_deletions()
    for doc, value in column_values(reader, "words"):
        if value and (wanted is None or doc in wanted) and not (
                deleted and reader.is_deleted(doc)):
            counts.update(value.decode("utf-8").split(" "))
    return counts
