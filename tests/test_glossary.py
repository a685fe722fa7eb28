"""The bilingual glossary: mining glosses, keeping them in the index, expanding queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from papersearch import PaperIndex
from papersearch.analysis import analyze, text_analyzer
from papersearch.analysis.glossary import decode_key, encode, mine_pairs
from papersearch.search.ranking import Ranking

from conftest import DigestWriter
from helpers import digest, entry

ANALYZER = text_analyzer()


def terms(text: str) -> list[str]:
    return analyze(ANALYZER, text)


@pytest.mark.parametrize("text, pair", [
    ("보상 모델(Reward Model, RM)을 학습합니다.", (("보상", "모델"), ("reward", "model"))),
    ("보상 모델(Reward Model, RM)을 학습합니다.", (("보상", "모델"), ("rm",))),
    # the prefix 대 is part of its word (대규모), not dropped
    ("대규모 언어 모델(LLM)의 환각", (("대규모", "언어", "모델"), ("llm",))),
    ("검색 증강 생성(RAG) 기법", (("검색", "증강", "생성"), ("rag",))),
    ("새 LLM(대형 언어 모델)을 제안", (("대형", "언어", "모델"), ("llm",))),
    ("사고의 연쇄(Chain-of-Thought) 추론", (("사고", "연쇄"), ("chainofthought",))),
    ("확산 모델 (diffusion model)을 쓴다", (("확산", "모델"), ("diffus", "model"))),
    # a compound with a one-syllable part is asked for whole (변환기, not 변환 + 기)
    ("변환기(Transformer)를 쓴다", (("변환기",), ("transform",))),
])
def test_mines_glossed_terms(text: str, pair: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
    assert pair in mine_pairs(text, terms)


@pytest.mark.parametrize("text", [
    "모델(2024)을 공개했다",              # no letters: a year, not a gloss
    "성능이 좋다 (표 3 참고)",           # Korean in parentheses after Korean
    "이 모델은  (GPT-4)보다 낫다",       # far from any term
])
def test_ignores_what_is_not_a_gloss(text: str) -> None:
    assert mine_pairs(text, terms) == []


def test_corpus_sentences_mine_their_glosses() -> None:
    summary = ("이 논문은 인간 피드백 강화 학습(RLHF) 대신 직접 선호 최적화(Direct Preference "
               "Optimization)를 쓴다.\n지식 증류(Knowledge Distillation)로 소형 언어 모델(SLM)을 "
               "학습한다.")
    pairs = mine_pairs(summary, terms)
    assert (("지식", "증류"), ("knowledg", "distil")) in pairs
    # 직접 before a noun is the noun (direct), read alone: the gloss covers all three
    # words, and the word before them (대신) is not taken
    assert (("직접", "선호", "최적"), ("direct", "prefer", "optim")) in pairs
    assert not any("대신" in korean for korean, _ in pairs)
    assert any(ko[-2:] == ("강화", "학습") and en == ("rlhf",) for ko, en in pairs)


def test_field_encoding_round_trips() -> None:
    field = encode([(("보상", "모델"), ("reward", "model"))])
    keys = field.split(",")
    assert keys == ["ko:보상 모델|reward model", "en:reward model|보상 모델"]
    assert decode_key(keys[0]) == ("reward", "model")


# -- in an index --------------------------------------------------------------------------------

GLOSSED_A = entry("2405.10001", "Agents That Learn", ["보상 모델(Reward Model, RM)을 새로 학습한다."])
GLOSSED_B = entry("2405.10002", "Aligning Chatbots", ["보상 모델(reward model)로 정렬을 개선한다."])
ENGLISH_ONLY = entry("2405.10003", "Scaling Study", ["We study the reward model at scale."])
KOREAN_ONLY = entry("2405.10004", "Big Study", ["보상 모델을 대규모로 연구한다."])
TRANSFORMER = entry("2405.10005", "Faster Layers", ["An efficient transformer for long inputs."])
OTHER = entry("2405.10006", "Efficient Kernels", ["An efficient GPU kernel for sorting."])


@pytest.fixture
def index(tmp_path: Path) -> PaperIndex:
    return PaperIndex.create(tmp_path / "ix")


def ids(index: PaperIndex, query: str, **kw: object) -> list[str]:
    """The papers matching the whole query (not those that follow, matching part of it)."""
    return [h.arxiv_id for h in index.search(query, limit=20, **kw)  # type: ignore[arg-type]
            if not h.partial]


def test_korean_query_finds_english_words_and_back(index: PaperIndex,
                                                   write_digest: DigestWriter) -> None:
    index.add(write_digest("2024/05/01.md", digest("2024-05-01", GLOSSED_A, GLOSSED_B,
                                                   ENGLISH_ONLY, KOREAN_ONLY)))
    korean = ids(index, "보상 모델")
    assert "2405.10003" in korean  # writes only "reward model"
    # the user's own words weigh more than their translation
    assert korean.index("2405.10004") < korean.index("2405.10003")
    english = ids(index, "reward model")
    assert "2405.10004" in english  # writes only "보상 모델"
    assert english.index("2405.10003") < english.index("2405.10004")
    # turned off, each language finds only itself
    assert "2405.10003" not in ids(index, "보상 모델", ranking=Ranking(expansion_weight=0))


def test_glossary_follows_the_digests_added_and_changed(index: PaperIndex,
                                                        write_digest: DigestWriter) -> None:
    # One paper glossing a pair is not enough to trust it (MIN_PAPERS = 2).
    index.add(write_digest("2024/05/01.md", digest("2024-05-01", GLOSSED_A, ENGLISH_ONLY)))
    assert "2405.10003" not in ids(index, "보상 모델")
    day2 = write_digest("2024/05/02.md", digest("2024-05-02", GLOSSED_B))
    index.add(day2)
    assert "2405.10003" in ids(index, "보상 모델")
    # The second gloss disappears when its day is rewritten without it.
    changed = entry("2405.10002", "Aligning Chatbots", ["보상 모델로 정렬을 개선한다."])
    day2.write_text(digest("2024-05-02", changed), encoding="utf-8")
    index.add(day2)
    assert "2405.10003" not in ids(index, "보상 모델")


def test_loanwords_and_their_negation(index: PaperIndex, write_digest: DigestWriter) -> None:
    index.add(write_digest("2024/05/03.md", digest("2024-05-03", TRANSFORMER, OTHER)))
    assert ids(index, "트랜스포머") == ["2405.10005"]
    assert ids(index, "효율적인 트랜스포머") == ["2405.10005"]
    # excluding a word excludes its translations too
    assert ids(index, "efficient -트랜스포머") == ["2405.10006"]
    assert ids(index, "efficient NOT 트랜스포머") == ["2405.10006"]


def test_explanation_names_the_translation(index: PaperIndex,
                                           write_digest: DigestWriter) -> None:
    index.add(write_digest("2024/05/01.md", digest("2024-05-01", GLOSSED_A, GLOSSED_B,
                                                   ENGLISH_ONLY, KOREAN_ONLY)))
    hit = next(h for h in index.search("보상 모델을", explain=True) if h.arxiv_id == "2405.10003")
    assert hit.explanation is not None
    translations = {(t.text, t.translation_of) for t in hit.explanation.terms}
    assert ("reward model", "보상 모델을") in translations
    assert all(source is not None for _, source in translations)  # it writes only English


def test_spellings_meet_through_their_english(index: PaperIndex,
                                              write_digest: DigestWriter) -> None:
    # 라벨 and 레이블 are one word spelt two ways; the lexicon gives both "label"
    labels = entry("2405.10007", "Unlabeled Data", ["레이블이 없는 데이터로 학습한다."])
    other = entry("2405.10008", "Other Things", ["라벨과 관계없는 다른 내용."])
    index.add(write_digest("2024/05/04.md", digest("2024-05-04", labels, other)))
    assert ids(index, "라벨 없는 데이터")[0] == "2405.10007"
    hit = next(h for h in index.search("라벨 데이터", explain=True) if h.arxiv_id == "2405.10007")
    assert hit.explanation is not None
    assert any(t.text == "레이블" and t.via == "label" and t.translation_of == "라벨"
               for t in hit.explanation.terms)
    # the typed spelling weighs more than the other one
    both = index.search("라벨", explain=True)
    assert [h.arxiv_id for h in both][:2] == ["2405.10008", "2405.10007"]
