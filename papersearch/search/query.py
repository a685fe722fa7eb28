"""The query language, parsed leniently into a small syntax tree.

Supported: plain words (all must match), ``"phrases"``, ``OR``, ``NOT word`` and
``-word``, ``( ... )`` groups, and field prefixes ``title:``, ``summary:``,
``author:``, ``id:`` (on a word, a phrase or a group). Operators are upper-case;
lower-case ``or``/``not`` are ordinary words.

The parser never raises on odd input: an unbalanced quote runs to the end, an
unbalanced parenthesis is ignored, a lone operator is dropped, an unknown
field prefix is read as text, control characters are spaces. It refuses (with
:class:`~papersearch.errors.QueryError`) only what it cannot serve: a query
longer than ``MAX_QUERY_CHARS`` or with more than ``MAX_TERMS`` terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field

from papersearch.analysis.normalize import control_pattern, normalize_unicode
from papersearch.errors import QueryError
from papersearch.schema import QUERY_FIELDS

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
MAX_DEPTH = 16


@dataclass(frozen=True)
class Word:
    """A word or a quoted phrase, optionally limited to one field.

    ``span`` is where its text stands in :attr:`ParsedQuery.text` (``None`` when
    unknown), so the whole query can be analyzed at once, each word in context.
    """

    text: str
    phrase: bool = False
    field: str | None = None  # an index field name (``authors``), not the prefix typed
    span: tuple[int, int] | None = dataclass_field(default=None, compare=False)


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Word | Not | And | Or


@dataclass
class _Lexeme:
    kind: str  # word, phrase, lparen, rparen, or, and, not, neg, field
    text: str = ""
    start: int = -1  # where ``text`` starts in the cleaned query (words and phrases)


@dataclass
class ParsedQuery:
    """The syntax tree (``None`` for a query with no terms) and the cleaned text."""

    text: str
    root: Node | None
    notes: list[str] = field(default_factory=list)


_CONTROL = control_pattern()
_FIELD = re.compile(r"^([A-Za-z]+):(.*)$", re.DOTALL)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "＂": '"'})


def clean_query_text(text: str) -> str:
    """NFC-normalize, map curly quotes to ``"``, turn control characters into spaces."""
    text = normalize_unicode(text).translate(_QUOTES)
    return " ".join(_CONTROL.sub(" ", text).split())


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            out.append(_Lexeme("phrase", text[i + 1:end], i + 1))
            i = end + 1
        elif ch == "(":
            out.append(_Lexeme("lparen"))
            i += 1
        elif ch == ")":
            out.append(_Lexeme("rparen"))
            i += 1
        elif ch == "-" and i + 1 < n and not (text[i + 1].isspace() or text[i + 1] in "-.")\
                and not text[i + 1].isdigit():
            # "-video" excludes; "-1" and "-0.5" are numbers
            out.append(_Lexeme("neg"))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '"()':
                j += 1
            word = text[i:j]
            i = j
            if word in {"OR", "||"}:
                out.append(_Lexeme("or"))
            elif word in {"AND", "&&"}:
                out.append(_Lexeme("and"))
            elif word == "NOT":
                out.append(_Lexeme("not"))
            else:
                match = _FIELD.match(word)
                if match and match.group(1).lower() in QUERY_FIELDS:
                    out.append(_Lexeme("field", QUERY_FIELDS[match.group(1).lower()]))
                    if match.group(2):
                        out.append(_Lexeme("word", match.group(2), j - len(match.group(2))))
                else:
                    out.append(_Lexeme("word", word, j - len(word)))
    return out


class _Parser:
    def __init__(self, lexemes: list[_Lexeme], notes: list[str]) -> None:
        self.lexemes = lexemes
        self.i = 0
        self.depth = 0
        self.terms = 0
        self.notes = notes

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.i] if self.i < len(self.lexemes) else None

    def parse(self) -> Node | None:
        nodes: list[Node] = []
        while self.peek() is not None:
            node = self.or_expr()
            if node is not None:
                nodes.append(node)
            lexeme = self.peek()
            if lexeme is not None and lexeme.kind == "rparen":
                self.notes.append("unbalanced ')' ignored")
                self.i += 1
        return _and(nodes)

    def or_expr(self) -> Node | None:
        branches: list[Node] = []
        first = self.and_expr()
        if first is not None:
            branches.append(first)
        while (lexeme := self.peek()) is not None and lexeme.kind == "or":
            self.i += 1
            branch = self.and_expr()
            if branch is not None:
                branches.append(branch)
        if not branches:
            return None
        return branches[0] if len(branches) == 1 else Or(tuple(branches))

    def and_expr(self) -> Node | None:
        nodes: list[Node] = []
        while (lexeme := self.peek()) is not None and lexeme.kind not in {"or", "rparen"}:
            node = self.unary()
            if node is not None:
                nodes.append(node)
        return _and(nodes)

    def unary(self) -> Node | None:
        negations = 0
        while (lexeme := self.peek()) is not None and lexeme.kind in {"not", "neg", "and"}:
            self.i += 1
            negations += lexeme.kind != "and"
        lexeme = self.peek()
        if lexeme is None or lexeme.kind in {"or", "rparen"}:
            return None  # a lone NOT, '-' or AND
        child = self.primary(None)
        if child is None or negations % 2 == 0:
            return child
        return Not(child)

    def primary(self, fieldname: str | None) -> Node | None:
        lexeme = self.peek()
        if lexeme is None:
            return None
        self.i += 1
        if lexeme.kind == "field":
            nxt = self.peek()
            if nxt is None or nxt.kind not in {"word", "phrase", "lparen"}:
                return None  # "title:" with nothing after it
            return self.primary(lexeme.text)
        if lexeme.kind == "lparen":
            if self.depth >= MAX_DEPTH:
                return None  # treat a too-deep "(" as nothing
            self.depth += 1
            node = self.or_expr()
            self.depth -= 1
            nxt = self.peek()
            if nxt is not None and nxt.kind == "rparen":
                self.i += 1
            else:
                self.notes.append("unbalanced '(' closed at the end")
            return _with_field(node, fieldname) if fieldname and node is not None else node
        if lexeme.kind in {"word", "phrase"}:
            text = lexeme.text.strip()
            if not text:
                return None
            self.terms += 1
            start = lexeme.start + lexeme.text.index(text)
            return Word(text, phrase=lexeme.kind == "phrase", field=fieldname,
                        span=(start, start + len(text)))
        return None  # a stray operator where a term was expected


def _and(nodes: list[Node]) -> Node | None:
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def _with_field(node: Node, fieldname: str) -> Node:
    if isinstance(node, Word):
        return node if node.field else Word(node.text, node.phrase, fieldname, node.span)
    if isinstance(node, Not):
        return Not(_with_field(node.child, fieldname))
    children = tuple(_with_field(c, fieldname) for c in node.children)
    return And(children) if isinstance(node, And) else Or(children)


def parse_query(text: str) -> ParsedQuery:
    """Parse a query string; raises QueryError only for oversized queries."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(text, f"too long ({len(text):,} characters; at most "
                         f"{MAX_QUERY_CHARS:,} are accepted)")
    cleaned = clean_query_text(text)
    notes: list[str] = []
    parser = _Parser(_lex(cleaned), notes)
    root = parser.parse()
    if parser.terms > MAX_TERMS:
        raise QueryError(text, f"too many terms ({parser.terms}; at most {MAX_TERMS})")
    if cleaned.count('"') % 2:
        notes.append("unbalanced '\"': the phrase runs to the end")
    return ParsedQuery(cleaned, root, notes)


def describe(node: Node | None) -> str:
    """Render a node back to query syntax (for messages and ``ignored_terms``)."""
    if node is None:
        return ""
    if isinstance(node, Word):
        prefix = f"{node.field}:" if node.field else ""
        return f'{prefix}"{node.text}"' if node.phrase else f"{prefix}{node.text}"
    if isinstance(node, Not):
        return f"-{describe(node.child)}"
    joiner = " " if isinstance(node, And) else " OR "
    return "(" + joiner.join(describe(c) for c in node.children) + ")"
