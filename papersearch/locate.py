"""Finding the index a command means when it names none.

The design card's place is ``index/`` in the project folder. From any folder below it,
the nearest ``index/`` up the tree that holds a papersearch index is the one meant (as
git finds its repository); failing that, the user's own index in the data directory
(``$XDG_DATA_HOME/papersearch/index``, by default ``~/.local/share/papersearch/index``).
``$PAPERSEARCH_INDEX`` or ``--index`` name one outright.
"""

from __future__ import annotations

import os
from pathlib import Path

INDEX_NAME = "index"


def is_index(path: Path) -> bool:
    """Whether ``path`` holds a Whoosh index (its table of contents)."""
    return path.is_dir() and any(path.glob("_MAIN_*.toc"))


def user_index_dir() -> Path:
    """The user's own index, in the XDG data directory."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "papersearch" / INDEX_NAME


def index_candidates(start: Path | None = None) -> list[Path]:
    """Where an unnamed index is looked for, in order: ``index/`` in ``start`` (the
    working directory) and each folder above it, then :func:`user_index_dir`."""
    here = (start or Path.cwd()).resolve()
    return [folder / INDEX_NAME for folder in [here, *here.parents]] + [user_index_dir()]


def find_index(start: Path | None = None) -> Path | None:
    """The first of :func:`index_candidates` that holds an index, or None."""
    return next((path for path in index_candidates(start) if is_index(path)), None)
