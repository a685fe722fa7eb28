"""Hangul at the level of jamo: what typing mistakes and half-typed syllables look like.

A Korean typo is usually one jamo off (``트랜스포며`` for ``트랜스포머``: ㅕ for
ㅓ), which is a whole syllable off to a character comparison. And a search box
sees syllables mid-composition: ``강화핛`` on the way to ``강화학습``. So words are
compared as jamo strings: Unicode's canonical decomposition splits each syllable
into its initial, medial and (optional) final jamo, and composition joins them back.
"""

from __future__ import annotations

import unicodedata

FIRST_SYLLABLE = 0xAC00
"""가, the first precomposed Hangul syllable; a syllable's code point minus this is
(initial × 21 + medial) × 28 + final."""
SYLLABLE_COUNT = 11172
_FIRST, _LAST = chr(FIRST_SYLLABLE), chr(FIRST_SYLLABLE + SYLLABLE_COUNT - 1)
SYLLABLES = f"{_FIRST}-{_LAST}"
"""The precomposed Hangul syllables (가-힣), as a regular-expression class body:
``[{SYLLABLES}]``. Korean as the digests write it; jamo alone are typing."""
_JONGSEONG = range(0x11A8, 0x11C3)


def _compat_table() -> dict[int, str]:
    """Compatibility jamo (ㄱ, ㅏ: what a keyboard shows alone) to conjoining jamo.

    A consonant becomes an initial when one exists (ㄱ, ㅎ) and a final otherwise
    (ㄳ); a vowel becomes a medial.
    """
    table: dict[int, str] = {}
    for cp in range(0x3131, 0x3164):
        name = unicodedata.name(chr(cp)).removeprefix("HANGUL LETTER ")
        for kind in ("CHOSEONG", "JUNGSEONG", "JONGSEONG"):
            try:
                table[cp] = unicodedata.lookup(f"HANGUL {kind} {name}")
                break
            except KeyError:
                continue
    return table


_COMPAT = _compat_table()


def _final_splits() -> dict[str, str]:
    """Final jamo to what they may be mid-typing: the final less its last consonant, plus
    that consonant as the next syllable's initial (ㄳ -> ㄱ + ㅅ), or for a single final,
    no final plus that initial (ㄱ -> ㄱ)."""
    splits: dict[str, str] = {}
    for cp in _JONGSEONG:
        name = unicodedata.name(chr(cp)).removeprefix("HANGUL JONGSEONG ")
        parts = name.split("-")
        try:
            initial = unicodedata.lookup(f"HANGUL CHOSEONG {parts[-1]}")
            final = unicodedata.lookup(f"HANGUL JONGSEONG {parts[0]}") if len(parts) == 2 else ""
        except KeyError:
            continue
        splits[chr(cp)] = final + initial
    return splits


_FINAL_SPLITS = _final_splits()


def decompose(text: str) -> str:
    """``text`` with every Hangul syllable (and lone keyboard jamo) as conjoining jamo."""
    return unicodedata.normalize("NFD", text.translate(_COMPAT))


def compose(jamo: str) -> str:
    """Join conjoining jamo back into syllables where they form one (NFC)."""
    return unicodedata.normalize("NFC", jamo)


def has_syllable(text: str) -> bool:
    """Whether ``text`` holds a precomposed Hangul syllable."""
    first, last = _FIRST, _LAST  # comparing characters: a tenth faster than ord() in a range
    return any(first <= ch <= last for ch in text)


def is_hangul(text: str) -> bool:
    """Whether ``text`` holds any Hangul syllable or jamo."""
    return has_syllable(text) or any(0x1100 <= ord(ch) <= 0x11FF or 0x3131 <= ord(ch) <= 0x318E
                                     for ch in text)


def typing_prefixes(prefix: str) -> list[str]:
    """The jamo prefixes a half-typed ``prefix`` may stand for.

    A final consonant on the last syllable may be the next syllable's initial
    still being typed: ``강확`` is on the way to ``강화가`` as much as to ``강확인``,
    and ``강화핛`` (ㄱ and ㅅ typed after 하) to ``강화학습``.
    """
    jamo = decompose(prefix)
    forms = [jamo]
    if len(jamo) >= 3 and jamo[-1] in _FINAL_SPLITS:
        forms.append(jamo[:-1] + _FINAL_SPLITS[jamo[-1]])
    return forms


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (edits and adjacent swaps), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
