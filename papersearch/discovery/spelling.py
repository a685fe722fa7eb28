"""Did-you-mean: corrected queries built from the index's own vocabulary.

When a search finds nothing or little, each plain word the papers never use is
replaced by the closest word they do use (jamo-level for Korean, so ``강화학즙``
meets ``강화학습``; letters for English, ``difusion`` to ``diffusion``), keeping
its particles (``트랜스포며를`` to ``트랜스포머를``). Spacing is tried both ways:
two words that papers write as one (``트랜스 포머``) are joined, and one unknown
word that is two known ones is split. The caller keeps a candidate only if it
does better than the query (:data:`Outcome`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from papersearch.analysis import MecabTokenizer, normalize_text, strip_particles
from papersearch.analysis.hangul import is_hangul
from papersearch.discovery.vocabulary import Vocabulary

Outcome = tuple[bool, int]
"""How well a query did: (every word found and matched together, papers found). A
query that had to drop or relax words does worse than one that did not, whatever
its count: ``difusion models`` finds thousands by ``models`` alone."""

MIN_PAPERS_FOR_SPACING = 2
"""Words joined or split only into words at least this many papers write so."""

# A word of the query that spelling may touch: letters, digits and inner - . ' only,
# no field prefix, quote, wildcard or operator.
_PLAIN = re.compile(r"^[^\W_][\w.'-]*$")
_OPERATORS = {"AND", "OR", "NOT"}


def _is_plain(token: str) -> bool:
    return bool(_PLAIN.match(token)) and token not in _OPERATORS and not token.isdigit()


class Speller:
    """Suggests corrected queries from one vocabulary. Stateless apart from its inputs."""

    def __init__(self, vocabulary: Vocabulary, tokenizer: MecabTokenizer) -> None:
        self.vocabulary = vocabulary
        self.tokenizer = tokenizer

    def correct_word(self, word: str) -> str | None:
        """The closest word papers use, with ``word``'s particles; None if it is known or
        nothing is close."""
        core, particles = strip_particles(self.tokenizer, word)
        lowered = core.lower()
        if len(lowered) < 2 or self.vocabulary.count(lowered) > 0:
            return None
        near = self.vocabulary.near(lowered)
        return near[0][0] + particles if near else None

    def split_word(self, word: str) -> str | None:
        """An unknown Korean word as the two known words it is made of, the likeliest split."""
        core, particles = strip_particles(self.tokenizer, word)
        if not is_hangul(core) or self.vocabulary.count(core.lower()) > 0:
            return None
        count = self.vocabulary.count
        best: tuple[int, str] | None = None
        for i in range(1, len(core)):
            left, right = core[:i].lower(), core[i:].lower()
            score = min(count(left), count(right))
            if score >= MIN_PAPERS_FOR_SPACING and (best is None or score > best[0]):
                best = (score, f"{left} {right}{particles}")
        return best[1] if best else None

    def candidates(self, query: str) -> list[str]:
        """Corrected versions of ``query``, most thorough first, each different from it."""
        tokens = normalize_text(query).split()
        corrected = [self.correct_word(t) or t if _is_plain(t) else t for t in tokens]
        out = [" ".join(corrected), " ".join(self._joined(corrected)),
               " ".join(self._joined(tokens)),
               " ".join(self.split_word(t) or t if _is_plain(t) else t for t in tokens)]
        original = " ".join(tokens)
        return [candidate for candidate in dict.fromkeys(out) if candidate != original]

    def _joined(self, tokens: list[str]) -> list[str]:
        """Adjacent Korean words joined where papers write them as one (트랜스 포머)."""
        out: list[str] = []
        for token in tokens:
            if out and _is_plain(out[-1]) and _is_plain(token) and is_hangul(out[-1]) \
                    and is_hangul(token):
                core, particles = strip_particles(self.tokenizer, out[-1] + token)
                joined = core.lower()
                papers = self.vocabulary.count(joined)
                if papers >= MIN_PAPERS_FOR_SPACING and papers > min(
                        self.vocabulary.count(out[-1].lower()),
                        self.vocabulary.count(core[len(out[-1]):].lower())):
                    out[-1] = joined + particles
                    continue
            out.append(token)
        return out

    def suggest(self, query: str, current: Outcome,
                outcome: Callable[[str], Outcome]) -> str | None:
        """The best candidate by ``outcome`` (see :data:`Outcome`), if better than ``current``."""
        best: tuple[Outcome, str] | None = None
        for candidate in self.candidates(query):
            found = outcome(candidate)
            if found > current and (best is None or found > best[0]):
                best = (found, candidate)
        return best[1] if best else None


MIN_LATIN_TO_CORRECT = 5
"""Letters a Latin word needs before a search runs its correction unasked: shorter ones
are often names and acronyms the papers never use (``veo`` is a model, not ``seo``)."""


def confident_correction(query: str, corrected: str) -> bool:
    """Whether ``corrected`` may be searched in place of ``query`` without asking: every
    word it changes is made of letters only, and is a Latin word of at least
    :data:`MIN_LATIN_TO_CORRECT` letters or a Hangul word of at least two syllables (a
    one-jamo slip in 강화학즙 is clear; in a three-letter word it is a different word). A
    word with a digit or a hyphen is a name or a version (``llama4``, ``gpt-5o``,
    ``deepseek-r2``): a newer model the papers do not know yet, never an older one's typo.
    Otherwise the correction is only offered."""
    typed, fixed = normalize_text(query).split(), corrected.split()
    if len(typed) != len(fixed):  # words joined or split: offered, never imposed
        return False
    for word, new in zip(typed, fixed, strict=True):
        if word.lower() == new.lower():
            continue
        core = word.strip(".,;:!?'\"")
        if not core.isalpha():
            return False
        if is_hangul(core):
            if len(core) < 2:
                return False
        elif len(core) < MIN_LATIN_TO_CORRECT:
            return False
    return True
