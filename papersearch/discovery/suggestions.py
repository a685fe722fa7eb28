"""Suggestions for a search box: the last word completed, ranked by the words before it.

``LLM 환`` completes ``환`` from the vocabulary (:mod:`.vocabulary`), then ranks the
completions by how many of the papers matching ``LLM`` also use them, and says that count:
what the query would find, not how common the word is on its own. Without words before,
or when no paper has them with any completion, the words' own counts rank. Pieces of
words MeCab chopped (``트랜스파일레``) are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, MutableMapping
from typing import Any

from papersearch.discovery.vocabulary import Vocabulary, words_in
from papersearch.models import Suggestion

CANDIDATES = 200
"""Completions of the last word weighed against the words before it (the most used)."""
HEADS_CACHED = 64
"""Words-before-the-last whose papers' word counts one searcher keeps (a user types several
letters of one word after the same words)."""


def suggest(vocabulary: Vocabulary, reader: Any, cache: MutableMapping[str, Counter[str] | None],
            head: str, last: str, limit: int,
            matching: Callable[[str], Collection[int] | None],
            whole: Callable[[str], bool]) -> list[Suggestion]:
    """Completions of ``last`` after the words ``head``: ``matching(head)`` gives the
    papers (document numbers) the words before match, None for nothing to search;
    ``whole(word)`` says whether the dictionary knows a word as one; ``cache`` keeps the
    word counts of ``head``'s papers for one index version."""
    if not head:
        return [Suggestion(text=word, papers=papers)
                for word, papers in vocabulary.complete(last, limit, whole)]
    candidates = vocabulary.complete(last, CANDIDATES, whole)
    if not candidates:
        return []
    if head not in cache:
        if len(cache) >= HEADS_CACHED:
            cache.pop(next(iter(cache)))
        docs = matching(head)
        cache[head] = None if docs is None else words_in(reader, docs)
    together = cache[head] or Counter()
    both = sorted((c for c in candidates if together[c[0]]),
                  key=lambda c: (-together[c[0]], -c[1], c[0]))
    if not both:  # no paper has both: the words' own counts
        return [Suggestion(text=f"{head} {word}", papers=papers)
                for word, papers in candidates[:limit]]
    return [Suggestion(text=f"{head} {word}", papers=together[word]) for word, _ in both[:limit]]
