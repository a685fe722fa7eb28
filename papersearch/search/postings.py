"""A segment's data as arrays: a term's postings (document numbers and weights), the
positions of a term in chosen documents, and a field's lengths.

Walking a Whoosh matcher costs three Python calls a posting (``id``, ``weight``,
``next``); a cold query whose words are in most papers reads every one of their
postings, about 100,000 at 54,870 papers. Whoosh's own codec (W3) already decodes a
block of up to 128 postings at a time into a tuple of ids and an array of weights:
where the matcher is a plain W3 leaf matcher (no deleted documents to skip), those
blocks are taken whole. Any other matcher is walked posting by posting, so another
Whoosh fork, or a segment with deletions, reads the same numbers the slower way.

This module is the one place that reads W3's internals, each use feature-detected
(:func:`_fresh_w3`, :func:`_length_bytes`); the tests hold every fast path to the
public calls.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh.util.numeric import byte_to_length

Ids = NDArray[np.int32]
Weights = NDArray[np.float64]


def segment_postings(reader: Any, fieldname: str, text: Any) -> tuple[Ids, Weights]:
    """Document numbers (ascending, local to the segment of ``reader``) and weights (term
    frequencies) of ``text`` in ``fieldname``, deleted documents left out."""
    blocks = _whole_blocks(reader.postings(fieldname, text))
    if blocks is not None:
        return blocks
    matcher = reader.postings(fieldname, text)  # a fresh one: the block reader may have moved
    ids, weights = array("i"), array("d")
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.frombuffer(ids, dtype=np.int32), np.frombuffer(weights, dtype=np.float64)


def _whole_blocks(matcher: Any) -> tuple[Ids, Weights] | None:
    """Every block of a fresh W3 leaf matcher, or None for any other matcher."""
    if not _fresh_w3(matcher):
        return None
    try:
        ids: list[Ids] = []
        weights: list[Weights] = []
        while not matcher._atend:
            matcher._read_ids()
            matcher._read_weights()
            if len(matcher._ids) != matcher._blocklength:
                return None
            ids.append(np.asarray(matcher._ids, dtype=np.int32))
            weights.append(np.asarray(matcher._weights, dtype=np.float64))
            matcher._next_block()
    except AttributeError:
        return None
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0)
    return np.concatenate(ids), np.concatenate(weights)


def segment_positions(reader: Any, fieldname: str, text: Any, wanted: Ids,
                      decode: Any) -> list[list[int]]:
    """The positions of ``text`` in each of the documents ``wanted`` (ascending, local to
    the segment, every one having the term), decoded by ``decode`` (the field format's
    ``decoder("positions")``): a block's values are read only where it holds a wanted
    document."""
    found = _positions_by_block(reader.postings(fieldname, text), wanted, decode)
    if found is not None:
        return found
    matcher = reader.postings(fieldname, text)  # a fresh one: the block reader may have moved
    out = []
    for doc in wanted.tolist():
        matcher.skip_to(doc)
        out.append(list(matcher.value_as("positions")))
    return out


def _positions_by_block(matcher: Any, wanted: Ids, decode: Any) -> list[list[int]] | None:
    if not _fresh_w3(matcher):
        return None
    out: list[list[int]] = []
    at = 0  # the next wanted document
    try:
        while not matcher._atend and at < len(wanted):
            if matcher._maxid < wanted[at]:  # no wanted document in this block
                matcher._next_block()
                continue
            matcher._read_ids()
            ids = np.asarray(matcher._ids, dtype=np.int32)
            inside = wanted[at:np.searchsorted(wanted, ids[-1], side="right")]
            if len(inside):
                matcher._read_values()
                values = matcher._values
                for i in np.searchsorted(ids, inside).tolist():
                    out.append(list(decode(values[i])))
                at += len(inside)
            matcher._next_block()
    except AttributeError:
        return None
    return out if at == len(wanted) else None


def _fresh_w3(matcher: Any) -> bool:
    """Whether ``matcher`` is Whoosh's W3 leaf matcher, not yet moved (no deletions to
    skip: a segment with deletions wraps it in a filter)."""
    return type(matcher).__name__ == "W3LeafMatcher" and getattr(matcher, "_i", None) == 0


def field_lengths(leaf: Any, fieldname: str) -> array[int]:
    """The length in terms of ``fieldname`` of every document of one segment (0 where it
    has none), as Whoosh's ``doc_field_length`` gives them (lengths past 255 rounded).

    That call costs about a microsecond a document, 10 ms per field at 5,487 papers and
    100 ms at ten times that, paid by every cold query with a common word. Whoosh's own
    codec (W3) keeps a segment's lengths as one byte a document in one column: where the
    segment reader has that column reader, its bytes are read in one go and mapped
    through Whoosh's ``byte_to_length``. Any other codec takes the public call.
    """
    count = leaf.doc_count_all()
    raw = _length_bytes(leaf, fieldname)
    if raw is None:
        return array("I", (leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(count)))
    lengths = array("I", [_LENGTH_OF_BYTE[b] for b in raw[:count]])
    if len(lengths) < count:  # the column stops at the last document with the field
        lengths.extend([0] * (count - len(lengths)))
    return lengths


_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


def _length_bytes(leaf: Any, fieldname: str) -> bytes | None:
    """A W3 segment's length column of ``fieldname`` as raw bytes, or None when the
    reader is not one (feature-detected: any missing piece means no)."""
    try:
        from whoosh.codec import whoosh3

        perdoc = leaf._perdoc
        column = perdoc._cached_reader(f"_{fieldname}_len", whoosh3.LENGTHS_COLUMN)
        if column is None:
            return b""
        if type(column).__name__ != "Reader" or column._fixedlen != 1:
            return None
        return bytes(column._dbfile.get(column._basepos, column._count))
    except (AttributeError, ImportError, TypeError):
        return None
