"""Parsing Daily Papers digests (one Markdown file per day) into typed entries.

A digest is ``## Daily Papers (YYYY-MM-DD)`` followed by entries, each
``### [Title](https://arxiv.org/abs/ID)`` with optional image or video lines,
``Vote: N``, ``Authors: ...`` and summary bullets. The parser is line based
and forgiving: it takes every variation listed in the corpus README (missing
blank lines, a heading glued to a bullet, Python-list author lines, nested and
numbered bullets, bold labels, a repeated day header) and reports, with file
and line, what it cannot read instead of stopping at it.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from papersearch.analysis.normalize import normalize_unicode
from papersearch.errors import DigestError
from papersearch.ingest.markup import clean_inline
from papersearch.models import Bullet, Digest, DigestEntry, ParseIssue

_DAY_HEADER = re.compile(r"^\s*##\s+Daily Papers\s*\((\d{4}-\d{2}-\d{2})\)\s*$")
_ENTRY_START = "### ["
_ENTRY = re.compile(r"^###\s*\[(?P<title>.*)\]\((?P<url>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)\s*$")
_ARXIV_URL = re.compile(
    r"^https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})(?:v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)
_IMAGE = re.compile(r"^!\[[^\]]*\]\((?P<url>[^)\s]+)\)")
_WATCH_VIDEO = re.compile(r"^\[Watch Video\]\((?P<url>[^)\s]+)\)", re.IGNORECASE)
_VIDEO_TAG = re.compile(r"<video\b[^>]*\bsrc=['\"](?P<url>[^'\"]+)['\"]", re.IGNORECASE)
_VOTE = re.compile(r"^Vote:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_AUTHORS = re.compile(r"^Authors:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^(?P<indent>\s*)[-*+]\s+(?P<text>.*)$")
_NUMBERED = re.compile(r"^(?P<indent>\s*)(?P<num>\d{1,3})[.)]\s+(?P<text>.*)$")
_LABEL = re.compile(r"^\*{2,3}(?P<label>[^*]{1,60}?)\*{2,3}\s*:?\s*(?P<rest>.*)$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_PATH_DATE = re.compile(r"(\d{4})[/\\-](\d{2})[/\\-](\d{2})(?:\.md)?$")
_AUTHOR_PLACEHOLDER = {"+", "", "..."}
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


def decode_digest(data: bytes, path: Path) -> tuple[str, list[ParseIssue]]:
    """Decode a digest's bytes: UTF-8 (BOM allowed), else CP949, else UTF-8 with replacement.

    A file in a legacy Korean encoding is read correctly and reported as a
    warning; undecodable bytes become U+FFFD and the first bad line is named.
    """
    issues: list[ParseIssue] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp949")
            issues.append(ParseIssue(path=str(path), line=line, severity="warning",
                                     message="not UTF-8; read as CP949"))
        except UnicodeDecodeError:
            text = data.decode("utf-8", "replace")
            issues.append(ParseIssue(path=str(path), line=line, severity="warning",
                                     message="bytes that are not UTF-8 replaced by U+FFFD"))
    if "\x00" in text:
        first = text[: text.index("\x00")].count("\n") + 1
        issues.append(ParseIssue(path=str(path), line=first, severity="warning",
                                 message="NUL bytes removed (binary data in a text file?)"))
        text = text.replace("\x00", "")
    return text, issues


def date_from_path(path: Path) -> dt.date | None:
    """The day a file's path names (``.../2024/01/23.md`` or ``2024-01-23.md``), if any."""
    match = _PATH_DATE.search(path.as_posix())
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_authors(value: str) -> list[str]:
    """Author names from ``A, B, +, C`` or ``['A', 'B']``; ``+`` placeholders dropped."""
    value = value.strip()
    names: list[str] = []
    if value.startswith("[") and value.endswith("]"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, list) and all(isinstance(n, str) for n in parsed):
            names = parsed
        else:  # a broken list: take whatever quoted names it holds
            names = [a or b for a, b in _QUOTED.findall(value)]
    else:
        names = value.split(",")
    cleaned = (clean_inline(n) for n in names)
    # Some digests list a name twice in a row; keep each name once, in order.
    return list(dict.fromkeys(n for n in cleaned if n not in _AUTHOR_PLACEHOLDER))


MAX_LINE_CHARS = 100_000
"""Longer lines are cut (the corpus's longest is ~10,000 characters)."""
MAX_ENTRY_CHARS = 50_000
"""Summary text kept per entry (the corpus's longest is ~2,000 characters)."""


class _BulletDraft:
    """A bullet being collected: continuation lines are joined once, at the end."""

    __slots__ = ("label", "level", "parts")

    def __init__(self, text: str, label: str | None, level: int) -> None:
        self.parts = [text] if text else []
        self.label = label
        self.level = level

    def build(self) -> Bullet:
        return Bullet(text=" ".join(self.parts), label=self.label, level=self.level)


class _EntryBuilder:
    """Collects the lines of one entry while the parser walks the file.

    Text beyond ``MAX_ENTRY_CHARS`` is dropped as it arrives (and reported once),
    so a runaway entry costs linear time and bounded memory.
    """

    def __init__(self, title: str, url: str, arxiv_id: str, day: dt.date, line: int) -> None:
        self.raw_title = title
        self.url = url
        self.arxiv_id = arxiv_id
        self.day = day
        self.line = line
        self.votes: int | None = None
        self.authors: list[str] = []
        self.bullets: list[_BulletDraft] = []
        self.image_url: str | None = None
        self.video_url: str | None = None
        self.room = MAX_ENTRY_CHARS
        self.truncated = False

    def _clean(self, text: str) -> str:
        return clean_inline(text) if self.room > 0 else ""

    def _take(self, text: str) -> str:
        if len(text) > self.room:
            text = text[: max(self.room, 0)]
            self.truncated = True
        self.room -= len(text)
        return text

    def add_bullet(self, text: str, level: int, number: str | None = None) -> None:
        """Add a bullet; a bold lead (``**What's New**:``) becomes its label."""
        label: str | None = None
        match = _LABEL.match(text.strip())
        if match:
            label = clean_inline(match.group("label")).rstrip(":") or None
            text = match.group("rest")
        elif number is not None:
            text = f"{number}) {text}"
        cleaned = self._take(self._clean(text))
        if cleaned or label:
            self.bullets.append(_BulletDraft(cleaned, label, level))

    def continue_bullet(self, text: str) -> None:
        """A line that is not a bullet continues the previous one (or starts one)."""
        if self.room <= 0:
            self.truncated = True
            return
        cleaned = self._take(clean_inline(text))
        if not cleaned:
            return
        if self.bullets:
            self.bullets[-1].parts.append(cleaned)
        else:
            self.bullets.append(_BulletDraft(cleaned, None, 0))

    def build(self) -> DigestEntry:
        return DigestEntry(
            arxiv_id=self.arxiv_id, title=clean_inline(self.raw_title),
            raw_title=self.raw_title.strip(), url=self.url, date=self.day, votes=self.votes,
            authors=self.authors, bullets=[b.build() for b in self.bullets],
            image_url=self.image_url, video_url=self.video_url, line=self.line,
        )




def _split_glued_headings(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Yield (line number, line), splitting a ``### [`` heading glued to the end of a line."""
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        cut = line.find(_ENTRY_START, 1)
        while cut > 0 and line[:cut].strip():
            yield number, line[:cut]
            line = line[cut:]
            cut = line.find(_ENTRY_START, 1)
        yield number, line


def parse_digest_text(text: str, path: str | Path = "<text>", *, strict: bool = False,
                      sha256: str | None = None) -> Digest:
    """Parse a digest's text. See :func:`parse_digest`."""
    path = Path(path)
    text = normalize_unicode(text)
    issues: list[ParseIssue] = []
    entries: list[DigestEntry] = []
    file_day = None
    bad_header: tuple[int, str] | None = None  # the first day header with an impossible date
    day = date_from_path(path)
    current: _EntryBuilder | None = None
    skipping = False  # inside an entry whose heading was malformed

    def report(line: int, severity: str, message: str) -> None:
        issue = ParseIssue(path=str(path), line=line, severity=severity,  # type: ignore[arg-type]
                           message=message)
        if strict:
            raise DigestError(path, line, message)
        issues.append(issue)

    def finish() -> None:
        nonlocal current
        if current is None:
            return
        if current.truncated:
            report(current.line, "warning", f"{current.arxiv_id}: summary longer than "
                   f"{MAX_ENTRY_CHARS:,} characters; the rest is left out")
        entry = current.build()
        if not entry.bullets:
            report(entry.line, "warning", f"{entry.arxiv_id}: entry has no summary bullets")
        entries.append(entry)
        current = None

    # split("\n"), not splitlines(): a form feed inside a bullet is a mangled "\f", not a line end.
    for number, line in _split_glued_headings(text.split("\n")):
        if len(line) > MAX_LINE_CHARS:
            report(number, "warning", f"line of {len(line):,} characters cut to "
                   f"{MAX_LINE_CHARS:,}")
            line = line[:MAX_LINE_CHARS]
        stripped = line.strip()
        header = _DAY_HEADER.match(line)
        if header:
            finish()
            skipping = False
            try:
                day = dt.date.fromisoformat(header.group(1))
            except ValueError:
                report(number, "error", f"invalid date in day header: {header.group(1)!r}")
                bad_header = bad_header or (number, header.group(1))
                continue
            if file_day is None:
                file_day = day
            continue
        if stripped.startswith("###"):
            finish()
            skipping = False
            match = _ENTRY.match(stripped)
            url_match = _ARXIV_URL.match(match.group("url")) if match else None
            if match is None or url_match is None or not match.group("title").strip():
                report(number, "error", "malformed paper heading, expected "
                       "'### [Title](https://arxiv.org/abs/ID)'; entry skipped")
                skipping = True
                continue
            if day is None:
                report(number, "error", "paper listed before any '## Daily Papers (YYYY-MM-DD)' "
                       "header and the file name has no date; entry skipped")
                skipping = True
                continue
            arxiv_id = url_match.group("id").lower()
            current = _EntryBuilder(match.group("title"), f"https://arxiv.org/abs/{arxiv_id}",
                                    arxiv_id, day, number)
            continue
        if skipping or not stripped:
            continue
        if current is None:
            if not _RULE.match(stripped) and not stripped.startswith("#"):
                report(number, "warning", "text outside any paper entry ignored")
            continue
        if (m := _IMAGE.match(stripped)) is not None:
            current.image_url = current.image_url or m.group("url")
        elif (m := _WATCH_VIDEO.match(stripped)) is not None or (
            m := _VIDEO_TAG.search(stripped)
        ) is not None:
            current.video_url = current.video_url or m.group("url")
        elif (m := _VOTE.match(stripped)) is not None:
            value = m.group("value")
            if value.isdigit():
                current.votes = int(value)
            elif value not in {"-", ""}:
                report(number, "warning", f"unreadable vote count {value[:20]!r}; votes unknown")
        elif (m := _AUTHORS.match(stripped)) is not None:
            current.authors = parse_authors(m.group("value"))
        elif _RULE.match(stripped):
            continue
        elif (m := _BULLET.match(line)) is not None:
            current.add_bullet(m.group("text"), 1 if len(m.group("indent")) >= 2 else 0)
        elif (m := _NUMBERED.match(line)) is not None:
            current.add_bullet(m.group("text"), 1 if len(m.group("indent")) >= 2 else 0,
                               number=m.group("num"))
        elif stripped.startswith("<") and stripped.endswith(">") and "video" in stripped.lower():
            continue
        else:
            current.continue_bullet(stripped)
    finish()

    seen: dict[str, int] = {}
    unique: list[DigestEntry] = []
    for entry in entries:
        if entry.arxiv_id in seen:
            report(entry.line, "warning", f"{entry.arxiv_id} listed again in the same file "
                   f"(first at line {unique[seen[entry.arxiv_id]].line}); the later entry is kept")
            unique[seen[entry.arxiv_id]] = entry
        else:
            seen[entry.arxiv_id] = len(unique)
            unique.append(entry)

    resolved_day = file_day or date_from_path(path)
    if resolved_day is None:
        if bad_header is not None:
            raise DigestError(path, bad_header[0], f"invalid date in day header: "
                              f"{bad_header[1]!r}, and no date in the file name")
        raise DigestError(path, None, "no '## Daily Papers (YYYY-MM-DD)' header and no date in "
                          "the file name; cannot tell which day this digest is")
    if not unique and issues:
        # Nothing read and something not understood: not a digest (or a broken one), one
        # message for the file rather than a warning per line.
        first = issues[0]
        raise DigestError(path, first.line, f"no paper entries found ({len(issues)} "
                          f"line{'s' if len(issues) != 1 else ''} not understood, the first: "
                          f"{first.message}); is this a Daily Papers digest?")
    if not unique:
        report(1, "warning", "no paper entries found")
    digest_hash = sha256 or hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    return Digest(path=str(path), day=resolved_day, sha256=digest_hash, entries=unique,
                  issues=issues)


def parse_digest(path: str | Path, *, strict: bool = False) -> Digest:
    """Read one digest file into a :class:`Digest`.

    Malformed entries are reported in ``Digest.issues`` (with file and line)
    and skipped; with ``strict=True`` the first problem raises
    :class:`DigestError` instead. An unreadable file always raises.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DigestError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    text, issues = decode_digest(raw, path)
    if strict and issues:
        raise DigestError(path, issues[0].line, issues[0].message)
    digest = parse_digest_text(text, path, strict=strict,
                               sha256=hashlib.sha256(raw).hexdigest())
    if issues:
        digest = digest.model_copy(update={"issues": issues + digest.issues})
    return digest


def find_digests(path: str | Path) -> list[Path]:
    """The digest files under ``path``: the file itself, or every ``**/*.md`` in a folder.

    Sorted by path, so days are read oldest first in a ``YYYY/MM/DD.md`` tree.
    Files named README/LICENSE/CHANGELOG are not digests and are left out.
    """
    root = Path(path)
    if root.is_file():
        return [root]
    if not root.exists():
        raise DigestError(root, None, "no such file or folder")
    skip = ("readme", "license", "changelog", "contributing")
    return sorted(
        p for p in root.rglob("*.md")
        if p.is_file() and not p.name.lower().startswith(skip)
    )
