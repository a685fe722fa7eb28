"""A term's postings in one segment as two arrays: document numbers and weights.

Walking a Whoosh matcher costs three Python calls a posting (``id``, ``weight``,
``next``); a cold query whose words are in most papers reads every one of their
postings, about 100,000 at 54,870 papers. Whoosh's own codec (W3) already decodes a
block of up to 128 postings at a time into a tuple of ids and an array of weights:
where the matcher is a plain W3 leaf matcher (no deleted documents to skip), those
blocks are taken whole. Any other matcher is walked posting by posting, so another
Whoosh fork, or a segment with deletions, reads the same numbers the slower way.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
from numpy.typing import NDArray

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
    if type(matcher).__name__ != "W3LeafMatcher" or getattr(matcher, "_i", None) != 0:
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
    if type(matcher).__name__ != "W3LeafMatcher" or getattr(matcher, "_i", None) != 0:
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
