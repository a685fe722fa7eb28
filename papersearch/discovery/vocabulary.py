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
import struct
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from papersearch.analysis.hangul import decompose, edit_distance, is_hangul, typing_prefixes
from papersearch.cachefiles import write_atomically
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
        self._deletions: DeletionTable | None = None

    @classmethod
    def read(cls, reader: Any) -> Vocabulary:
        """The vocabulary of an index reader (its ``words`` column, segment by segment)."""
        return cls(words_in(reader))

    def save(self, path: Path, stamp: str = "") -> None:
        """Write this vocabulary and its corrections table to ``path`` (atomically: a
        reader finds the whole file or none), for :meth:`load` in another process;
        ``stamp`` names what it was read from (:func:`version_stamp`).

        Reading the ``words`` column, ordering 50,000 words by jamo and building the
        corrections table took ~0.4 s of every cold did-you-mean and ~0.2 s of every
        cold ``suggest``; loading this file takes a few milliseconds.
        """
        deletions = self._deletion_table()
        counts = array("I", (self._counts[w] for w in self._words))
        parts = [counts.tobytes(), "\n".join(self._words).encode("utf-8"),
                 "\n".join(self._keys).encode("utf-8"), deletions.probes,
                 deletions.ends.tobytes(), deletions.starts.tobytes(),
                 deletions.slots.tobytes(), stamp.encode("utf-8")]
        header = struct.pack(_HEADER, _MAGIC, len(self._words), *(len(p) for p in parts))
        write_atomically(path, [header, *parts])

    @classmethod
    def load(cls, path: Path, stamp: str | None = None) -> Vocabulary:
        """A vocabulary :meth:`save` wrote (with ``stamp``, if given). OSError if ``path``
        cannot be read, ValueError if it is not such a file (truncated, another format,
        another stamp)."""
        data = Path(path).read_bytes()
        size = struct.calcsize(_HEADER)
        if len(data) < size:
            raise ValueError(f"{path}: not a vocabulary file (too short)")
        magic, words, *lengths = struct.unpack_from(_HEADER, data)
        if magic != _MAGIC or size + sum(lengths) != len(data):
            raise ValueError(f"{path}: not a vocabulary file of this version")
        parts, at = [], size
        for length in lengths:
            parts.append(data[at:at + length])
            at += length
        if stamp is not None and parts[7].decode("utf-8", "replace") != stamp:
            raise ValueError(f"{path}: the vocabulary of another index version")
        counts, ends, starts, slots = array("I"), array("I"), array("I"), array("I")
        counts.frombytes(parts[0])
        ends.frombytes(parts[4])
        starts.frombytes(parts[5])
        slots.frombytes(parts[6])
        vocabulary = cls.__new__(cls)
        vocabulary._words = parts[1].decode("utf-8").split("\n") if words else []
        vocabulary._keys = parts[2].decode("utf-8").split("\n") if words else []
        if not (len(vocabulary._words) == len(vocabulary._keys) == len(counts) == words
                and len(starts) == len(ends) + 1 and starts[-1] == len(slots)
                and (ends[-1] if ends else 0) == len(parts[3])):
            raise ValueError(f"{path}: not a vocabulary file (inconsistent sizes)")
        vocabulary._counts = dict(zip(vocabulary._words, counts, strict=True))
        vocabulary._deletions = DeletionTable(parts[3], ends, starts, slots)
        return vocabulary

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
            seen.update(deletions.get(probe))
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

    def _deletion_table(self) -> DeletionTable:
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
            # one assignment: a racing thread builds an equal table
            self._deletions = DeletionTable.of(table)
        return self._deletions


class DeletionTable:
    """The corrections table in four flat parts, cheap to write to a file and to read
    back without parsing: the probes (jamo keys, and keys less one jamo) sorted, as one
    UTF-8 string cut at ``ends``; probe ``i``'s word slots are
    ``slots[starts[i]:starts[i + 1]]``. (UTF-8 orders as the code points do, so the
    bytes are searched as they are.)"""

    __slots__ = ("ends", "probes", "slots", "starts")

    def __init__(self, probes: bytes, ends: array[int], starts: array[int],
                 slots: array[int]) -> None:
        self.probes = probes
        self.ends = ends
        self.starts = starts
        self.slots = slots

    @classmethod
    def of(cls, table: Mapping[str, list[int]]) -> DeletionTable:
        ends, starts, slots = array("I"), array("I", [0]), array("I")
        encoded = []
        length = 0
        for probe in sorted(table):
            data = probe.encode("utf-8")
            encoded.append(data)
            length += len(data)
            ends.append(length)
            slots.extend(table[probe])
            starts.append(len(slots))
        return cls(b"".join(encoded), ends, starts, slots)

    def get(self, probe: str) -> array[int]:
        """The slots of the words ``probe`` reaches (empty if none)."""
        wanted = probe.encode("utf-8")
        probes, ends = self.probes, self.ends
        low, high = 0, len(ends)
        while low < high:  # the first probe >= wanted
            middle = (low + high) // 2
            if probes[ends[middle - 1] if middle else 0:ends[middle]] < wanted:
                low = middle + 1
            else:
                high = middle
        if low == len(ends) or probes[ends[low - 1] if low else 0:ends[low]] != wanted:
            return _NO_SLOTS
        return self.slots[self.starts[low]:self.starts[low + 1]]


_NO_SLOTS = array("I")
_MAGIC = b"PSVOCAB2"
_HEADER = "<8sQ8Q"  # magic, words, then the byte length of each of the eight parts


def _deletes(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


FILE_PREFIX = "papersearch-vocabulary-"
"""Vocabulary files in an index directory are named this, the index version, ``.bin``
(Whoosh's own files start with the index name, ``MAIN_`` or ``_MAIN_``, and it leaves
others alone)."""


def vocabulary_file(directory: Path, generation: int) -> Path:
    """Where the vocabulary of index version ``generation`` is kept."""
    return directory / f"{FILE_PREFIX}{generation}.bin"


def stored_vocabulary(directory: Path, reader: Any, write: bool = True) -> Vocabulary:
    """The vocabulary of ``reader``'s index version: loaded from its file in ``directory``
    when there is one, else read from the index and (with ``write``) kept there for the
    next process, replacing the files of older versions.

    The file is a cache: one that cannot be read, or was read from another index that
    had the same version number (its stamp differs), is read again from the index, and
    one that cannot be written (a read-only directory, a full disk) is not written.
    """
    generation = reader.generation()
    path = vocabulary_file(directory, generation)
    stamp = version_stamp(reader)
    try:
        return Vocabulary.load(path, stamp)
    except (OSError, ValueError):
        pass
    vocabulary = Vocabulary.read(reader)
    if write:
        try:
            vocabulary.save(path, stamp)
            for old in directory.glob(f"{FILE_PREFIX}*.bin"):
                number = old.name[len(FILE_PREFIX):-len(".bin")]
                if number.isdigit() and int(number) < generation:
                    old.unlink(missing_ok=True)
        except OSError:
            pass
    return vocabulary


def version_stamp(reader: Any) -> str:
    """What a vocabulary file was made from and by: the index version's number and its
    segments' ids (an index made again in the same directory starts its numbers again,
    with new segment ids), and the papersearch version and corrections settings (another
    papersearch may build the table differently)."""
    from papersearch import __version__

    segments = []
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment() if hasattr(leaf, "segment") else None
        segments.append(segment.segment_id() if segment is not None else "?")
    return (f"{reader.generation()}:{','.join(segments)} papersearch {__version__} "
            f"least {MIN_PAPERS_TO_CORRECT_TO} large {LARGE}")


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
