"""Author names: one term per name word, names kept apart, accents folded."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Filter, LowercaseFilter, Token, Tokenizer
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.support.charset import accent_map

from papersearch.analysis.normalize import normalize_text
from papersearch.analysis.tokenizer import new_token

AUTHOR_GAP = 100  # positions between two names, so "A B" never spans two authors

NAME_WORD = re.compile(r"[^\W_]+", re.UNICODE)


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
            for match in NAME_WORD.finditer(normalized):
                yield new_token(match.group(0), pos, start_char + offset + match.start(),
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


