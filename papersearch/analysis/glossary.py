"""Glossary: the Korean and English names of one ML term, mined and curated.

The digests often name a term twice, ``보상 모델(Reward Model, RM)``,
``LLM(대규모 언어 모델)``. :func:`mine_pairs` finds such glosses in a paper's
summary and returns them as pairs of analyzed term sequences,
``(("보상", "모델"), ("reward", "model"))``. The indexer stores each paper's pairs
in its ``glossary`` field, so the glossary is part of the index: it grows as
digests are added, loses a paper's pairs when the paper goes, and commits with
everything else. A pair counts once per paper that writes it; the query side
trusts pairs at least ``min_papers`` papers agree on.

The loanword lexicon (:mod:`papersearch.analysis.lexicon`) adds what mining cannot see:
Korean spellings of English terms (``트랜스포머``, ``렉티파이드``) that the digests
rarely gloss, because they write the English.

How many Korean terms a gloss names is read from its English side: as many as
the English has content words (``보상 모델(Reward Model)``: two), or for a lone
acronym, one per letter up to four (``검색 증강 생성(RAG)``: three).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from papersearch.analysis.hangul import SYLLABLES, has_syllable

Terms = tuple[str, ...]
Analyze = Callable[[str], list[str]]

MAX_TERMS = 4
"""Longest side of a pair, in analyzed terms."""

SEP = "|"
"""Between the two sides of a pair in the ``glossary`` field (no analyzed term holds it)."""

_LATIN = re.compile(r"[A-Za-z]")
_PAREN = re.compile(r"\(([^()]{1,120})\)")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]{0,2}[A-Z0-9]s?$")
_KOREAN_WORD = re.compile(f"^[{SYLLABLES}][{SYLLABLES}\\w·-]*$")
_ENGLISH_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9'.+-]*$")
_ALTERNATIVES = re.compile(r"\s*[,;/]\s*|\s+또는\s+|\s+or\s+")

def mine_pairs(text: str, analyze: Analyze) -> list[tuple[Terms, Terms]]:
    """The (Korean, English) term pairs glossed in ``text``, one per gloss, in order.

    ``analyze`` turns text into the index's query-mode terms. Both patterns count:
    Korean then English in parentheses, and English then Korean.
    """
    pairs: list[tuple[Terms, Terms]] = []
    for line in text.splitlines():
        for match in _PAREN.finditer(line):
            inside, before = match.group(1).strip(), line[:match.start()]
            if _LATIN.search(inside) and not has_syllable(inside):
                pairs.extend(_korean_then_english(before, inside, analyze))
            elif has_syllable(inside) and not _LATIN.search(inside):
                pairs.extend(_english_then_korean(before, inside, analyze))
    return [p for p in dict.fromkeys(pairs) if _plausible(p)]


def _trailing(before: str, word: re.Pattern[str], limit: int = 4) -> list[str]:
    """The last words of ``before`` that all match ``word`` (at most ``limit``)."""
    words = before.rstrip().split()
    run: list[str] = []
    for raw in reversed(words):
        if not word.match(raw) or len(run) == limit:
            break
        run.append(raw)
    return list(reversed(run))


def _korean_then_english(before: str, inside: str, analyze: Analyze
                         ) -> Iterator[tuple[Terms, Terms]]:
    korean_words = _trailing(before, _KOREAN_WORD)
    if not korean_words or len(before) - len(before.rstrip()) > 1:
        return  # the gloss must follow its term, at most one space apart
    alternatives = [a.strip() for a in _ALTERNATIVES.split(inside) if a.strip()]
    full = [a for a in alternatives if not _ACRONYM.match(a)]
    acronyms = [a for a in alternatives if _ACRONYM.match(a)]
    # Hyphens split words here (Chain-of-Thought has two content words, like 사고의
    # 연쇄): the analyzer would join them into one term.
    length = (len(analyze(full[0].replace("-", " "))) if full
              else _acronym_length(acronyms[0]) if acronyms else 0)
    if not 1 <= length <= MAX_TERMS:
        return
    # The fewest Korean words that give as many terms as the English has content words,
    # and never more words than that (직접 선호 최적화: 직접 analyzes to nothing, and the
    # word before it is not part of the term).
    korean: list[str] = []
    for count in range(1, min(len(korean_words), length) + 1):
        korean = analyze(" ".join(korean_words[-count:]))
        if len(korean) >= length:
            break
    if not korean:
        return
    ko = tuple(korean[-length:])
    for english in full[:1] + acronyms[:1]:
        if _ENGLISH_WORD.match(english.split()[0]) and len(english.split()) <= MAX_TERMS + 1:
            en = tuple(analyze(english))
            if en:
                yield ko, en


def _english_then_korean(before: str, inside: str, analyze: Analyze
                         ) -> Iterator[tuple[Terms, Terms]]:
    english_words = _trailing(before, _ENGLISH_WORD)
    if not english_words or len(inside.split()) > MAX_TERMS:
        return
    ko = tuple(analyze(inside))
    last = english_words[-1]
    # an acronym names the whole gloss; otherwise one English word per Korean term
    words = [last] if _ACRONYM.match(last) else english_words[-len(ko):] if ko else []
    en = tuple(analyze(" ".join(words)))
    if ko and en:
        yield ko, en


def _acronym_length(acronym: str) -> int:
    letters = sum(ch.isupper() for ch in acronym.rstrip("s"))
    return letters if 2 <= letters <= MAX_TERMS else 0


def _plausible(pair: tuple[Terms, Terms]) -> bool:
    ko, en = pair
    return (0 < len(ko) <= MAX_TERMS and 0 < len(en) <= MAX_TERMS
            and any(has_syllable(t) for t in ko)
            # one-syllable Korean terms are mostly suffixes split off a longer word
            # (변환기 -> 변환, 기): a pair resting on one is usually misaligned
            and all(len(t) >= 2 for t in ko)
            and not any(has_syllable(t) for t in en)
            and any(_LATIN.search(t) for t in en)
            and not any(SEP in t or "," in t for t in (*ko, *en)))


def encode(pairs: Iterable[tuple[Terms, Terms]]) -> str:
    """A paper's pairs as its ``glossary`` field: each pair under both sides, comma-separated."""
    keys: list[str] = []
    for ko, en in pairs:
        keys.append(f"ko:{' '.join(ko)}{SEP}{' '.join(en)}")
        keys.append(f"en:{' '.join(en)}{SEP}{' '.join(ko)}")
    return ",".join(dict.fromkeys(keys))


def key_prefix(side: str, terms: Terms) -> str:
    """The ``glossary`` terms that translate ``terms`` (written in ``side``) start so."""
    return f"{side}:{' '.join(terms)}{SEP}"


def decode_key(key: str) -> Terms:
    """The other side of a ``glossary`` term, as terms."""
    return tuple(key.split(SEP, 1)[1].split(" "))


def side_of(terms: Terms) -> str:
    """``ko`` for terms with Hangul, ``en`` otherwise."""
    return "ko" if any(has_syllable(t) for t in terms) else "en"
