"""Files an index keeps beside Whoosh's (its vocabulary, its aligned words): written whole.

Both are caches another process may be reading while one writes them, so each is written
to a new file beside it and renamed over it: a reader finds the old file or the new one,
never a part of either.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path


def write_atomically(path: Path, parts: Iterable[bytes]) -> None:
    """Write ``parts`` to ``path`` through a new file renamed over it (with the umask's
    permissions). OSError if it cannot; no temporary file is left either way."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(temporary, "xb") as out:
            for part in parts:
                out.write(part)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
