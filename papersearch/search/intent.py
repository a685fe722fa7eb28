"""Intent words: what a query says about the searcher's wish, not about the paper.

People describe the paper they want in a sentence: ``LLM을 이용한 코드 생성 벤치마크``,
``구글에서 나온 비디오 생성 모델``, ``LLM 환각 줄이는 방법``, ``그 뭐더라 ... 한 논문``.
Words such as 이용하다, 나오다, 줄이다, 방법, 논문 and 개선 say how the user relates to
the paper (it uses, it came out, it reduces, it is a method or a paper); a relevant
paper need not contain them. Requiring them loses most relevant papers (77 papers
for the query above against 561 without ``을 이용한``), and scoring them like topic
words ranks papers by how often they say "method".

:func:`is_intent` marks a query word whose analyzed terms are all such words. The
query then treats it as optional: it adds a little to a paper's score (so a paper
about *reducing* hallucination still ranks above one that only measures it) but
never decides whether a paper matches (see :meth:`papersearch.search.compiler.Plan.strict`).
Pronouns, particles and fillers (그, 뭐더라, 거) never reach this point: the analyzer's
part-of-speech stop drops them.

The lists hold analyzed terms (stems as :func:`papersearch.analysis.text_analyzer`
gives them in query mode: 나온 -> 나오, 이용한 -> 이용, English Porter stems).
"""

from __future__ import annotations

from collections.abc import Iterable

INTENT_TERMS = frozenset({
    # the paper as a thing: paper, study, method, way, technique, approach
    "논문", "연구", "방법", "방식", "기법", "접근", "법", "론", "아이디어",
    # how the user relates to it: uses, is about, came out, made, proposed, introduced
    "이용", "사용", "활용", "쓰", "쓸", "나오", "만들", "제안", "소개", "다루", "관련",
    "발표", "공개", "찾", "알", "보", "읽",
    # what it does to the topic, in the user's words: reduce, raise, improve, solve
    "줄이", "높이", "늘리", "올리", "키우", "낮추", "개선", "향상", "해결", "극복",
    # vague qualifiers and praise
    "최근", "새롭", "좋", "낫", "뛰어나", "우수", "대신", "정도", "가능",
    # English
    "paper", "method", "approach", "techniqu", "us", "improv",
})


def is_intent(terms: Iterable[str]) -> bool:
    """Whether every one of a word's analyzed terms is an intent word (and it has some)."""
    found = False
    for term in terms:
        if term not in INTENT_TERMS:
            return False
        found = True
    return found
