"""Normalization: the one place that decides which characters text and queries keep.

Everything read (digest text, author names, queries) goes through here before it is
tokenized or parsed, so that the index and the query agree: NFC Hangul (macOS writes
NFD, which MeCab cannot read), no lone surrogates (MeCab takes UTF-8), ASCII for
full-width forms, and control characters as spaces.
"""

from __future__ import annotations

import re
import unicodedata

_SURROGATE = re.compile("[\ud800-\udfff]")  # lone surrogates from bad decoding

CONTROL_CHARACTERS = frozenset([
    *range(0x00, 0x20), *range(0x7F, 0xA0),  # C0 and C1 controls, DEL
    *range(0x200B, 0x2010),  # zero-width space and joiners, direction marks
    *range(0x2028, 0x202F),  # line and paragraph separators, direction embeddings
    0xFEFF,  # byte order mark
])
"""Code points that are never text: digests and queries read them as spaces (a mangled
``\\t`` or ``\\f`` of LaTeX, a NUL, a zero-width space pasted from a web page)."""


def control_pattern(keep: str = "") -> re.Pattern[str]:
    """A regex matching :data:`CONTROL_CHARACTERS` except those in ``keep`` (the markup
    cleaner keeps tabs and newlines, which it reads as structure)."""
    kept = {ord(ch) for ch in keep}
    chars = "".join(re.escape(chr(cp)) for cp in sorted(CONTROL_CHARACTERS - kept))
    return re.compile(f"[{chars}]")


_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_TO_SPACE = {**_FULLWIDTH, **{cp: 0x20 for cp in CONTROL_CHARACTERS}}


def normalize_unicode(text: str) -> str:
    """NFC-compose (macOS writes NFD Hangul) and drop lone surrogates."""
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "replace").decode("utf-8")
    return unicodedata.normalize("NFC", text)


def normalize_text(text: str) -> str:
    """Normalize text before tokenizing: NFC Hangul, ASCII for full-width forms.

    NFC because macOS writes NFD (decomposed jamo) that MeCab cannot read;
    not NFKC, which would also rewrite compatibility jamo and circled digits.
    Control characters become spaces. Lone surrogates (from broken decoding)
    are replaced, since MeCab takes UTF-8.
    """
    return normalize_unicode(text).translate(_TO_SPACE)
