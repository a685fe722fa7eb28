"""Display-form cleaning of titles and bullets, on titles from the corpus."""

from __future__ import annotations

import unicodedata

import pytest

from papersearch.analysis import normalize_unicode
from papersearch.ingest.markup import clean_inline, repair_mangled_escapes


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("LLM$\\times$MapReduce: Simplified Long-Sequence Processing",
         "LLM×MapReduce: Simplified Long-Sequence Processing"),
        ("MicroDreamer: Zero-shot 3D Generation in $\\sim$20 Seconds",
         "MicroDreamer: Zero-shot 3D Generation in ~20 Seconds"),
        ("AutoCoder: Enhancing Code Large Language Model with \\textsc{AIEV-Instruct}",
         "AutoCoder: Enhancing Code Large Language Model with AIEV-Instruct"),
        ("M$^{2}$UGen: Multi-modal Music Understanding", "M²UGen: Multi-modal Music Understanding"),
        ("$\\textit{Trans-LoRA}$: towards data-free", "Trans-LoRA: towards data-free"),
        ("$\\nabla^2$DFT: A Universal Quantum Chemistry Dataset", "∇²DFT: A Universal Quantum Chemistry Dataset"),
        ("A Simple and Effective $L_2$ Norm-Based Strategy", "A Simple and Effective L₂ Norm-Based Strategy"),
        ("SOTOPIA-$π$: Interactive Learning", "SOTOPIA-π: Interactive Learning"),
        # Dollar amounts are not math.
        ("Open-Sora 2.0: Training a Commercial-Level Video Generation Model in $200k",
         "Open-Sora 2.0: Training a Commercial-Level Video Generation Model in $200k"),
        ("SWE-Lancer: Can Frontier LLMs Earn $1 Million from Real-World Freelance Software",
         "SWE-Lancer: Can Frontier LLMs Earn $1 Million from Real-World Freelance Software"),
        # Brackets, stars and angle brackets in titles are text.
        ("I Don't Know: Explicit Modeling of Uncertainty with an [IDK] Token",
         "I Don't Know: Explicit Modeling of Uncertainty with an [IDK] Token"),
        ("Evolution of Reasoning Performance in GPT-[n] and o-[n] Models",
         "Evolution of Reasoning Performance in GPT-[n] and o-[n] Models"),
        ("AtP*: An efficient and scalable method", "AtP*: An efficient and scalable method"),
        ("Beyond A*: Better Planning with Transformers", "Beyond A*: Better Planning with Transformers"),
        ("DeepSeek-R1 Thoughtology: Let's <think> about LLM Reasoning",
         "DeepSeek-R1 Thoughtology: Let's <think> about LLM Reasoning"),
        ("Do I look like a `cat.n.01` to you?", "Do I look like a cat.n.01 to you?"),
    ],
)
def test_titles_render_to_display_form(raw: str, clean: str) -> None:
    assert clean_inline(raw) == clean


def test_mangled_tab_escape_is_repaired() -> None:
    # 2024/08/26: "\textit{HR-ED}" arrived as TAB + "extit{HR-ED}".
    line = "High-Resolution Early Dropping (\textit{HR-ED})라는 새로운 토큰 드롭핑"
    assert "\t" in line
    assert repair_mangled_escapes(line) == "High-Resolution Early Dropping (\\textit{HR-ED})라는 새로운 토큰 드롭핑"
    assert clean_inline(line) == "High-Resolution Early Dropping (HR-ED)라는 새로운 토큰 드롭핑"


def test_text_tokens_and_trailing_space_survive() -> None:
    assert clean_inline("  <EOS> 토큰과 <MASK> 토큰을   사용  ") == "<EOS> 토큰과 <MASK> 토큰을 사용"


def test_bold_labels_and_emphasis_unwrapped() -> None:
    assert clean_inline("***What's New***: 새로운 **방법**") == "What's New: 새로운 방법"


def test_nfd_hangul_is_composed() -> None:
    nfd = unicodedata.normalize("NFD", "확산 모델")
    assert nfd != "확산 모델"
    assert normalize_unicode(nfd) == "확산 모델"
    assert clean_inline(nfd) == "확산 모델"
