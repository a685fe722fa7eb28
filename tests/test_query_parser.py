"""The query language, parsed leniently: a table of inputs and the tree each gives."""

from __future__ import annotations

import pytest

from papersearch.search.query import And, Not, Or, Word, describe, parse_query

# (query as typed, the tree rendered back to query syntax, a note expected or None)
TABLE = [
    ("확산 모델", "(확산 모델)", None),  # words combine with AND
    ('"확산 모델" 평가', '("확산 모델" 평가)', None),  # a phrase is one node
    ("diffusion OR 확산", "(diffusion OR 확산)", None),
    ("diffusion -music", "(diffusion -music)", None),
    ("-music", "-music", None),  # a lone exclusion stays one
    ("title:transformer", "title:transformer", None),
    ('author:"Song Han"', 'authors:"Song Han"', None),  # author: is the authors field
    ("a AND b", "(a b)", None),  # AND is the default, spelled or not
    ("NOT x y", "(-x y)", None),
    ("(a OR b) c", "((a OR b) c)", None),
    ("가중치를 -1 0 1", "(가중치를 -1 0 1)", None),  # a minus before a digit is a number
    ('"unclosed phrase', '"unclosed phrase"', "unbalanced"),
    ("“curly quotes”", '"curly quotes"', None),  # pasted typographic quotes
    ("x\u200by", "(x y)", None),  # a zero-width space separates words
    ("GPT-4V의 성능", "(GPT-4V의 성능)", None),  # analysis, not the parser, splits GPT-4V의
    ("a OR", "a", None),  # a dangling operator is dropped
    ("AND b", "b", None),
    ("foo:bar", "foo:bar", None),  # an unknown field is text
    ("OR", "", None),  # nothing to search for
    ("title:", "", None),
    ('""', "", None),
]


@pytest.mark.parametrize(("query", "tree", "note"), TABLE, ids=[t[0] for t in TABLE])
def test_parse_table(query: str, tree: str, note: str | None) -> None:
    parsed = parse_query(query)
    assert describe(parsed.root) == tree
    if note is None:
        assert parsed.notes == []
    else:
        assert any(note in n for n in parsed.notes), parsed.notes
    if tree == "":
        assert parsed.root is None


def test_tree_shapes() -> None:
    root = parse_query('(확산 OR diffusion) -music title:"video generation"').root
    assert isinstance(root, And)
    either, excluded, phrase = root.children
    assert isinstance(either, Or) and [w.text for w in either.children  # type: ignore[union-attr]
                                       ] == ["확산", "diffusion"]
    assert isinstance(excluded, Not) and isinstance(excluded.child, Word)
    assert isinstance(phrase, Word) and phrase.phrase and phrase.field == "title"
    assert phrase.text == "video generation"


def test_word_spans_point_into_the_cleaned_text() -> None:
    parsed = parse_query("“확산 모델”  LLM을")
    assert isinstance(parsed.root, And)
    for word in parsed.root.children:
        assert isinstance(word, Word) and word.span is not None
        start, end = word.span
        assert word.text in parsed.text[start:end]
