"""The filters of the text chain, each a small Whoosh filter usable and testable alone.

    JoinTechTermsFilter   glue GPT / - / 4 / V back into one term, GPT-4V
    DecompoundFilter      compounds and terms to whole + parts, inflected words to stems
    PosStopFilter         drop particles, endings, affixes, punctuation (nori's stop tags)
    LatinStemFilter       Porter stemming of English words, wherever they stand
    CompactPositionsFilter positions without the gaps the stops left
    SurfaceWordFilter     morphemes back into the words a person types (the vocabulary)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Filter, Token
from whoosh.lang.porter import stem as porter_stem
from whoosh.lang.stopwords import stoplists

from papersearch.analysis.tokenizer import COMPOUND_KIND, clone_token, expr_morphemes

_ALNUM_TAGS = {"SL", "SN", "SH"}
_CONNECTORS = {"-", ".", "_", "/", "+", "×", "·", "'", "’"}


def _is_alnum_token(token: Token) -> bool:
    return token.tag in _ALNUM_TAGS and any(ch.isalnum() for ch in token.text)


def _is_connector(token: Token) -> bool:
    return token.tag in {"SY", "SL", "SC"} and token.text in _CONNECTORS


_MINUS = ("-", "\u2212")
_SIGNED = re.compile(r"-\d+(?:\.\d+)*")
_BEFORE_SIGN = frozenset("([{<,;:=~+")
"""What may stand right before a minus that is a sign: ``{-1``, ``(-30%``, ``x=-1``."""


def _may_be_sign(token: Token, before: Token | None) -> bool:
    """Whether ``token`` ends in a minus that is a sign if a number follows it: it stands
    after a space or an opening bracket, a comma, an operator (``{-`` is one symbol to
    MeCab). Glued to anything else it is a hyphen or a range: ``시스템-2``, ``20%-30%``,
    ``(Llama)-2``; after a Latin or number run (``GPT-4``, ``x-1``) it never gets here."""
    if token.tag != "SY" or not token.text.endswith(_MINUS):
        return False
    if len(token.text) > 1:
        return token.text[-2] in _BEFORE_SIGN
    return not token.glued or before is None or before.text[-1:] in _BEFORE_SIGN


def _is_unsigned_number(token: Token) -> bool:
    return bool(token.glued and token.tag == "SN" and token.text.isdigit())


def _after(tokens: Iterable[Token]) -> Iterator[tuple[Token | None, Token]]:
    """Each token with the one before it (None for the first)."""
    previous: Token | None = None
    for token in tokens:
        yield previous, token
        previous = token


class JoinTechTermsFilter(Filter):  # type: ignore[misc]
    """Join Latin and number pieces that MeCab split apart (``GPT``,``-``,``4``,``V``).

    A run of glued alphanumeric tokens, possibly linked by ``- . _ / + ×``, becomes
    one token with tag ``SL`` whose ``parts`` attribute keeps the pieces, so that
    DecompoundFilter can index the whole term and its parts. A minus that is a sign
    (:func:`_may_be_sign`) joins the number after it: ``{-1, 0, 1}`` holds -1, not 1,
    and ``-0.5`` is not 0.5 (a number, tag ``SN``, with no parts; in a term such as
    ``-1.5B`` the sign is dropped as any connector is).
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        run: list[Token] = []
        pending: list[Token] = []  # connectors seen after the run, not yet joined
        sign: Token | None = None  # a minus that is a sign if a number follows
        for previous, token in _after(tokens):
            if sign is not None:
                held, sign = sign, None
                if _is_unsigned_number(token):
                    chars = getattr(token, "chars", False)
                    if len(held.text) > 1:  # {- : the bracket stays a symbol
                        yield clone_token(held, held.text[:-1], **(
                            {"endchar": held.endchar - 1} if chars else {}))
                    run = [clone_token(token, "-" + token.text, glued=held.glued, **(
                        {"startchar": held.endchar - 1} if chars else {}))]
                    continue
                yield held
            if run and token.glued:
                if _is_connector(token):
                    pending.append(token)
                    continue
                if _is_alnum_token(token):
                    run.extend(pending)
                    pending = []
                    run.append(token)
                    continue
            if run:
                yield self._emit(run)
                run = []
            yield from pending
            pending = []
            if _is_alnum_token(token):
                run = [token]
            elif _may_be_sign(token, previous):
                sign = token
            else:
                yield token
        if run:
            yield self._emit(run)
        yield from pending
        if sign is not None:
            yield sign

    @staticmethod
    def _emit(run: list[Token]) -> Token:
        if len(run) == 1 and run[0].text.isalnum():
            return run[0]
        first, last = run[0], run[-1]
        surface = "".join(t.text for t in run)
        changes: dict[str, Any] = {"tag": "SN"} if _SIGNED.fullmatch(surface) else {
            "tag": "SL", "kind": "Tech", "expr": None,
            "parts": [t.text for t in run],
        }
        if getattr(first, "chars", False):
            changes["endchar"] = last.endchar
        return clone_token(first, surface, **changes)


_DIGIT_DOT = re.compile(r"(?<=\d)\.(?=\d)")
_PIECES = re.compile(r"[^\W_]+(?:\.\d+)*")  # 3.1 stays one piece
_LETTER_DIGIT = re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+")


def tech_term_forms(surface: str) -> tuple[str, list[str]]:
    """The whole form and the parts of a technical term, lowercased.

    ``GPT-4V`` gives ``gpt4v`` and [``gpt``, ``4v``, ``4``, ``v``]; ``Llama-3.1``
    gives ``llama3.1`` and [``llama``, ``3.1``]; ``BM25`` gives ``bm25`` and
    [``bm``, ``25``]. Connectors vanish from the whole form, except a dot
    between digits (so 5.8 and 58 stay different numbers).
    """
    lowered = surface.lower()
    marked = _DIGIT_DOT.sub("\x00", lowered)
    whole = "".join(ch for ch in marked if ch.isalnum() or ch == "\x00").replace("\x00", ".")
    parts: list[str] = []
    for piece in _PIECES.findall(lowered):
        for form in [piece, *_LETTER_DIGIT.findall(piece)]:
            if form != whole and form not in parts:
                parts.append(form)
    return whole, parts


class DecompoundFilter(Filter):  # type: ignore[misc]
    """Split compounds into parts, keep inflected words' stems.

    - Korean compound nouns (``인공지능`` = 인공 + 지능): index mode emits the whole
      and the parts, query mode only the parts, which every indexed form has; but
      the whole when a part is one syllable (``구글`` = 구 + 글), too vague alone.
    - Technical terms from JoinTechTermsFilter (``GPT-4V``): index mode emits the
      whole form and every part, query mode only the whole form.
    - Inflected and pre-analysed words (``보였`` = 보이 + 었): their morphemes,
      tagged, so PosStopFilter can keep the stem and drop the ending.

    Parts take consecutive positions (later tokens shift along), so a phrase
    ``인공 지능`` still matches text that wrote ``인공지능``.

    ``compounds=False`` keeps compound nouns whole in both modes (for comparison
    in the relevance benchmark: splitting them scores better).
    """

    def __init__(self, compounds: bool = True) -> None:
        self.compounds = compounds

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        shift = 0
        for token in tokens:
            positions = getattr(token, "positions", False)
            if positions:
                token.pos += shift
            query = token.mode == "query"
            kind = getattr(token, "kind", None)
            if kind == "Tech":
                whole, parts = tech_term_forms(token.text)
                yield clone_token(token, whole)
                if not query:
                    for part in parts:
                        yield clone_token(token, part, tag="SN" if part[0].isdigit() else "SL")
            elif kind == COMPOUND_KIND and not getattr(self, "compounds", True):
                yield clone_token(token, token.text, kind=None, tag=token.tag.split("+")[0])
            elif kind in {COMPOUND_KIND, "Inflect", "Preanalysis"} and token.expr:
                morphemes = expr_morphemes(token.expr)
                if kind == COMPOUND_KIND and query and any(len(m) < 2 for m, _ in morphemes):
                    # 구글 = 구 + 글, 가중치 = 가중 + 치: a one-syllable part is a poor
                    # search term on its own; the whole is indexed too, so ask for it.
                    yield clone_token(token, token.text, kind=None, tag=token.tag.split("+")[0])
                    continue
                if kind == COMPOUND_KIND and not query:
                    yield clone_token(token, token.text, kind=None, tag=token.tag.split("+")[0])
                for i, (surface, tag) in enumerate(morphemes):
                    changes: dict[str, Any] = {"tag": tag, "kind": None, "expr": None}
                    if positions:
                        changes["pos"] = token.pos + i
                    yield clone_token(token, surface, **changes)
                if positions and len(morphemes) > 1:
                    shift += len(morphemes) - 1
            else:
                yield token


# Lucene nori's default stop tags, plus symbols and a few function-word classes.
DEFAULT_STOP_TAGS = frozenset({
    "E", "EP", "EF", "EC", "ETN", "ETM",  # endings
    "IC",  # interjections
    "J", "JKS", "JKC", "JKG", "JKO", "JKB", "JKV", "JKQ", "JX", "JC",  # particles
    "MAG", "MAJ", "MM",  # adverbs, determiners
    "NNB", "NNBC", "NP",  # bound nouns (것, 수), counters, pronouns
    "SP", "SSC", "SSO", "SC", "SE", "SF", "SY",  # punctuation and symbols
    "XPN", "XSA", "XSN", "XSV",  # affixes
    "VCP", "VCN", "VX", "VSV",  # copula, auxiliaries
    "UNA", "NA", "UNKNOWN",
})


class PosStopFilter(Filter):  # type: ignore[misc]
    """Drop tokens whose part of speech is in ``stoptags`` (particles, endings, ...).

    A combined tag like ``VV+EP`` is judged by its first part. Tokens without a
    tag (from another tokenizer) pass.
    """

    def __init__(self, stoptags: Iterable[str] = DEFAULT_STOP_TAGS) -> None:
        self.stoptags = frozenset(stoptags)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        stoptags = self.stoptags
        for token in tokens:
            tag = getattr(token, "tag", None)
            if tag is None or tag.split("+", 1)[0] not in stoptags:
                yield token


# Stems and nouns too common in the summaries to tell papers apart.
KOREAN_STOP_WORDS = frozenset({
    "하", "되", "있", "없", "않", "같", "이", "그", "저", "보", "주", "통하", "위하",
    "대하", "의하", "따르", "관하", "이러", "그러", "이러하", "그러하", "어떻", "본", "등",
})
ENGLISH_STOP_WORDS = frozenset(stoplists["en"]) | frozenset({"via", "s", "t"})


class LatinStemFilter(Filter):  # type: ignore[misc]
    """Porter-stem tokens made only of ASCII letters; leave Korean and numbers alone."""

    is_morph = True

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._cache = {}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def stem(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is None:
            cached = porter_stem(word) if word.isascii() and word.isalpha() else word
            if len(self._cache) < 100_000:
                self._cache[word] = cached
        return cached

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.stopped:
                token.text = self.stem(token.text)
            yield token


class CompactPositionsFilter(Filter):  # type: ignore[misc]
    """Renumber positions 0, 1, 2 ... over the tokens that survived the stops.

    Dropped particles and endings leave no gaps, so the phrase ``기계 생성 텍스트``
    matches ``기계가 생성한 텍스트``; tokens that shared a position (a term's whole
    and its parts) still share one.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        last_original: int | None = None
        current = -1
        for token in tokens:
            if not getattr(token, "positions", False):
                yield token
                continue
            if token.pos != last_original:
                last_original = token.pos
                current += 1
            token.pos = current
            yield token


# Tags that make up a word's content: nouns, foreign words, numbers, hanja, noun
# prefixes and suffixes (효율적 = 효율 + 적). A combined tag is judged by its first part.
WORD_TAGS = frozenset({"NNG", "NNP", "NNB", "NR", "NP", "SL", "SH", "SN", "XPN", "XR", "XSN"})
_PUNCTUATION_TAGS = frozenset({"SF", "SE", "SSO", "SSC", "SC", "SY", "SP"})


class SurfaceWordFilter(Filter):  # type: ignore[misc]
    """Turn morphemes back into the words a person types: an eojeol less its particles.

    Glued tokens form one word (``강화학습을`` = 강화 + 학습 + 을); the word is
    the run of content morphemes from its start (``강화학습``), cut at the first
    particle, ending, verb suffix or punctuation. When that run is a single
    syllable, MeCab has usually chopped a word it does not know (쿼 + 터니 + 언 for
    ``쿼터니언``): the word is then the whole eojeol less its trailing particles.
    A word that starts with anything else (a verb stem, a symbol) yields nothing,
    and neither does a one-character word. No stemming: these are shown to users.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        group: list[Token] = []
        boundary = True  # the next token starts a word even if glued: 모델(LLM)을
        for token in tokens:
            if (not token.glued or boundary) and group:
                word = self._word(group)
                if word is not None:
                    yield word
                group = []
            boundary = _tag(token) in _PUNCTUATION_TAGS
            if not boundary:
                group.append(token)
        word = self._word(group) if group else None
        if word is not None:
            yield word

    @staticmethod
    def _word(group: list[Token]) -> Token | None:
        run: list[Token] = []
        for token in group:
            if _tag(token) not in WORD_TAGS:
                break
            run.append(token)
        if not run:
            return None
        if len("".join(t.text for t in run)) < 2:
            whole = list(group)
            while whole and _tag(whole[-1]).startswith("J"):
                whole.pop()
            if all(t.text.isalpha() for t in whole):
                run = whole
        text = "".join(t.text for t in run)
        word = clone_token(run[0], text)
        if getattr(word, "chars", False):
            word.endchar = run[-1].endchar
        word.stopped = len(text) < 2 or not any(ch.isalpha() for ch in text)
        return word


def _tag(token: Token) -> str:
    """A token's part of speech, its first part for a combined tag (SL for untagged)."""
    return str(getattr(token, "tag", "SL")).split("+", 1)[0]

