"""arXiv identifiers in the forms people paste them, reduced to the one the index keys on.

``2401.12070``, ``2401.12070v2``, ``arXiv:2401.12070``, ``https://arxiv.org/abs/2401.12070``
and ``https://arxiv.org/pdf/2401.12070v1.pdf`` all name paper ``2401.12070``. One
function reads them all, for every way in: ``get``, ``similar``, ``show``, the API and
the query language's ``id:``.
"""

from __future__ import annotations

import re

ARXIV_ID = re.compile(
    r"^(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arxiv:)?"
    r"(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?$", re.IGNORECASE)
"""An arXiv id (new style, 0704 on) alone, with a version, ``arXiv:`` or an abs/pdf URL."""


def normalize_id(text: str) -> str | None:
    """The bare id ``text`` names (``2401.12070``), or None if it names none."""
    match = ARXIV_ID.match(text.strip())
    return match.group(1) if match else None
