"""Analysis: how digest text, author names and queries become index terms.

One tokenizer, then small filters, composed into Whoosh analyzer chains:

- :mod:`.normalize`: the characters kept (NFC, full-width, controls), for text and queries;
- :mod:`.tokenizer`: MeCab + mecab-ko-dic, loanwords of the lexicon kept whole, words
  MeCab misread in their sentence read again alone, prefixes joined to their nouns;
- :mod:`.filters`: tech terms joined, compounds split, stop tags, stemming, positions;
- :mod:`.analyzers`: the chains for titles and summaries, and for surface words;
- :mod:`.authors`: the chain for author names;
- :mod:`.lexicon`, :mod:`.glossary`, :mod:`.hangul`, :mod:`.transliteration`: the word
  lists and the Hangul arithmetic the chains and the query layer share.

Whoosh pickles the analyzers into every index's table of contents under the name
``papersearch.analysis.<Class>``; the classes below keep that name wherever their code
lives, so indexes stay readable when modules move.
"""

from __future__ import annotations

from papersearch.analysis.analyzers import (
    PreTokenized,
    TextAnalyzer,
    TokenTuple,
    analyze,
    index_tokens,
    index_tokens_and_words,
    plain_text_analyzer,
    strip_particles,
    surface_words,
    text_analyzer,
    words_analyzer,
)
from papersearch.analysis.authors import (
    AUTHOR_GAP,
    NAME_WORD,
    AccentFoldFilter,
    AuthorTokenizer,
    author_analyzer,
)
from papersearch.analysis.filters import (
    DEFAULT_STOP_TAGS,
    ENGLISH_STOP_WORDS,
    KOREAN_STOP_WORDS,
    WORD_TAGS,
    CompactPositionsFilter,
    DecompoundFilter,
    JoinTechTermsFilter,
    LatinStemFilter,
    PosStopFilter,
    SurfaceWordFilter,
    tech_term_forms,
)
from papersearch.analysis.normalize import (
    CONTROL_CHARACTERS,
    control_pattern,
    normalize_text,
    normalize_unicode,
)
from papersearch.analysis.tokenizer import (
    BOUND_SUFFIXES,
    COMPOUND_KIND,
    LOANWORD_KIND,
    MAX_IDLE_TAGGERS,
    UNKNOWN_KIND,
    MecabTokenizer,
    Morpheme,
    join_prefixes,
    keep_loanwords_whole,
    make_tagger,
    read_unknown_words,
    read_words_alone,
)

# The names pickled into indexes (see the module docstring).
for _pickled in (TextAnalyzer, MecabTokenizer, JoinTechTermsFilter, DecompoundFilter,
                 PosStopFilter, LatinStemFilter, CompactPositionsFilter, SurfaceWordFilter,
                 AuthorTokenizer, AccentFoldFilter, normalize_text):
    _pickled.__module__ = __name__
del _pickled

__all__ = [
    "AUTHOR_GAP", "BOUND_SUFFIXES", "COMPOUND_KIND", "CONTROL_CHARACTERS", "DEFAULT_STOP_TAGS",
    "ENGLISH_STOP_WORDS",
    "KOREAN_STOP_WORDS", "LOANWORD_KIND", "MAX_IDLE_TAGGERS", "NAME_WORD", "UNKNOWN_KIND",
    "WORD_TAGS",
    "AccentFoldFilter", "AuthorTokenizer", "CompactPositionsFilter", "DecompoundFilter",
    "JoinTechTermsFilter", "LatinStemFilter", "MecabTokenizer", "Morpheme", "PosStopFilter",
    "PreTokenized", "SurfaceWordFilter", "TextAnalyzer", "TokenTuple", "analyze",
    "author_analyzer", "control_pattern", "index_tokens", "index_tokens_and_words",
    "join_prefixes", "keep_loanwords_whole", "make_tagger", "normalize_text", "normalize_unicode",
    "plain_text_analyzer", "read_unknown_words", "read_words_alone",
    "strip_particles", "surface_words",
    "tech_term_forms", "text_analyzer", "words_analyzer",
]
