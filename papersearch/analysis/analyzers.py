"""The analyzers: the chains that turn digest text and queries into index terms.

A Whoosh analyzer chain, built the Lucene way from one tokenizer and small
filters, each usable and testable alone::

    MecabTokenizer        normalize (NFC, full-width ASCII) then MeCab + mecab-ko-dic;
                          loanwords kept whole, misread words read again alone,
                          a prefix and its noun one compound
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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import LowercaseFilter, StopFilter, Token
from whoosh.analysis.analyzers import CompositeAnalyzer

from papersearch.analysis.filters import (
    DEFAULT_STOP_TAGS,
    ENGLISH_STOP_WORDS,
    KOREAN_STOP_WORDS,
    CompactPositionsFilter,
    DecompoundFilter,
    JoinTechTermsFilter,
    LatinStemFilter,
    PosStopFilter,
    SurfaceWordFilter,
)
from papersearch.analysis.normalize import normalize_text
from papersearch.analysis.tokenizer import MecabTokenizer, new_token

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
    """The text chain, which also replays the tokens of :class:`PreTokenized` text.

    Its first two steps, :class:`MecabTokenizer` and :class:`JoinTechTermsFilter`, are
    also the words chain's (:func:`index_tokens_and_words` runs them once for both).
    """

    SHARED_STEPS = 2

    @property
    def tokenizer(self) -> MecabTokenizer:
        """The chain's MeCab tokenizer (for reading morphemes, e.g. a query's particles)."""
        tokenizer: MecabTokenizer = self.items[0]
        return tokenizer

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        if isinstance(value, PreTokenized) and kwargs.get("mode") == "index":
            return self._replay(value.tokens, **kwargs)
        return super().__call__(value, **kwargs)  # type: ignore[no-any-return]

    @staticmethod
    def _replay(tokens: tuple[TokenTuple, ...], positions: bool = False, chars: bool = False,
                **options: Any) -> Iterator[Token]:
        for text, pos, start, end in tokens:
            token = new_token(text, pos, start, end, positions=positions, chars=chars,
                               **options)
            token.stopped = False
            yield token


def text_analyzer(stoptags: Iterable[str] = DEFAULT_STOP_TAGS,
                  compounds: bool = True, loanwords: bool = True,
                  alone: bool = True, prefixes: bool = True) -> TextAnalyzer:
    """The chain for titles and summaries (Korean and English alike).

    The defaults are the ones the relevance benchmark chose; the parameters exist
    so that it can compare the alternatives. ``loanwords`` keeps the words of the
    loanword lexicon whole (:mod:`papersearch.analysis.lexicon`); ``alone`` reads a
    word MeCab misread in its sentence again on its own
    (:func:`~papersearch.analysis.tokenizer.read_words_alone`); ``prefixes`` makes a
    prefix and its noun one compound (:func:`~papersearch.analysis.tokenizer.join_prefixes`).
    """
    return TextAnalyzer(
        MecabTokenizer(loanwords=loanwords, alone=alone, prefixes=prefixes),
        JoinTechTermsFilter(),
        DecompoundFilter(compounds),
        PosStopFilter(stoptags),
        LowercaseFilter(),
        StopFilter(stoplist=KOREAN_STOP_WORDS | ENGLISH_STOP_WORDS, minsize=1, renumber=False),
        LatinStemFilter(),
        CompactPositionsFilter(),
    )


def plain_text_analyzer() -> TextAnalyzer:
    """The text chain as plain mecab-ko-dic splits words, no loanword lexicon, no words
    read again and prefixes apart: what a first BM25 over MeCab morphemes would use (the
    relevance benchmark's strongest simple competitor)."""
    return text_analyzer(loanwords=False, alone=False, prefixes=False)



# -- surface words (the vocabulary behind suggestions and did-you-mean) -----------

def words_analyzer() -> CompositeAnalyzer:
    """The chain for surface words: MeCab, tech terms joined, eojeol content, lowercase."""
    chain: CompositeAnalyzer = (MecabTokenizer() | JoinTechTermsFilter() | SurfaceWordFilter()
                                | LowercaseFilter())
    return chain


def surface_words(analyzer: CompositeAnalyzer, text: str) -> list[str]:
    """The surface words of ``text`` (see :class:`SurfaceWordFilter`), in order."""
    return [t.text for t in analyzer(text, removestops=False) if not t.stopped]


def index_tokens_and_words(analyzer: TextAnalyzer, text: str,
                           skip: Iterable[tuple[int, int]] = ()
                           ) -> tuple[tuple[TokenTuple, ...], list[str]]:
    """:func:`index_tokens` and :func:`surface_words` of ``text`` from one MeCab pass.

    ``analyzer`` is the text chain, whose first two steps (MecabTokenizer,
    JoinTechTermsFilter) are also the words chain's: MeCab is most of analysis, so
    sharing them halves the cost of a second chain. Words starting inside a
    ``skip`` span (bullet labels such as ``What's New``) are left out.
    """
    tokenizer, join = analyzer.items[:analyzer.SHARED_STEPS]
    rest = analyzer.items[analyzer.SHARED_STEPS:]
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


def analyze(analyzer: CompositeAnalyzer, text: str, mode: str = "query") -> list[str]:
    """The terms ``analyzer`` makes of ``text``: a helper for tests and explanations."""
    return [t.text for t in analyzer(text, mode=mode) if not t.stopped]
