"""Cleaning the markup digests carry into the plain text people read and search.

Titles and bullets hold inline LaTeX (``LLM$\\times$MapReduce``, ``\\textsc{..}``,
``M$^{2}$UGen``), Markdown emphasis and code spans, and escapes that a
generator mangled into control characters (``\\t`` of ``\\textit`` became a TAB,
``\\f`` of ``\\frac`` a form feed). These functions turn them into the display
form: ``LLM×MapReduce``, ``AIEV-Instruct``, ``M²UGen``.
"""

from __future__ import annotations

import re

from papersearch.analysis.normalize import control_pattern, normalize_unicode

_COMMANDS = {
    "times": "×", "sim": "~", "approx": "≈", "cdot": "·", "pm": "±", "infty": "∞",
    "leq": "≤", "geq": "≥", "le": "≤", "ge": "≥", "neq": "≠", "rightarrow": "→",
    "leftarrow": "←", "to": "→", "nabla": "∇", "partial": "∂", "sum": "∑",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ",
    "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "ldots": "...", "dots": "...", "%": "%", "&": "&", "_": "_", "#": "#", "$": "$",
}
_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")

# \textbf{X}, \mathcal{X}, ... keep their argument.
_WRAPPER = re.compile(
    r"\\(?:text(?:bf|it|sc|tt|rm|sf|up)?|math(?:bf|it|cal|rm|sf|tt|bb|frak)?|emph|"
    r"operatorname|boldsymbol|bm)\s*\{([^{}]*)\}"
)
_COMMAND = re.compile(r"\\([A-Za-z]+|[%&_#$])")
# A math span: $...$ with no $ inside, short, not starting or ending in a space,
# so that "in $200k" or "Earn $1 Million" stay dollar amounts.
_MATH = re.compile(r"\$(?=\S)([^$\n]{1,60}?)(?<=\S)\$")
_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]*)\}|(\w))")
# Generators turned "\t", "\f", "\b", "\r" of LaTeX commands into control characters.
_MANGLED = {"\t": "\\t", "\f": "\\f", "\b": "\\b", "\r": "\\r", "\x0b": "\\v"}
_MANGLED_COMMAND = re.compile(r"[\t\f\b\r\x0b](?=[a-z]{2,}\s*\{|imes\b|ilde\b|heta\b|rac\b)")
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`([^`\n]+)`")
_CONTROL = control_pattern(keep="\t\n")  # tabs and newlines are structure here
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def repair_mangled_escapes(text: str) -> str:
    """Turn a control character that stands for a lost backslash back into it."""
    return _MANGLED_COMMAND.sub(lambda m: _MANGLED[m.group(0)], text)


def _script(match: re.Match[str]) -> str:
    """``^{2}`` to ``²`` and ``_2`` to ``₂`` where Unicode has the glyphs."""
    op, body = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
    table, glyphs = (
        (_SUPERSCRIPT, "0123456789+-=()n") if op == "^" else (_SUBSCRIPT, "0123456789+-=()")
    )
    if body and all(ch in glyphs for ch in body):
        return body.translate(table)
    return op + body


def _clean_math(body: str) -> str:
    body = _WRAPPER.sub(r"\1", body)
    body = _COMMAND.sub(lambda m: _COMMANDS.get(m.group(1), m.group(1)), body)
    body = _SCRIPT.sub(_script, body)
    return body.replace("{", "").replace("}", "").replace(" ", "")


def clean_latex(text: str) -> str:
    """Render inline LaTeX as plain Unicode text, leaving dollar amounts alone."""
    text = repair_mangled_escapes(text)
    text = _MATH.sub(lambda m: _clean_math(m.group(1)), text)
    # Commands outside math: \textsc{AIEV-Instruct}, \times written bare.
    text = _WRAPPER.sub(r"\1", text)
    return _COMMAND.sub(
        lambda m: _COMMANDS.get(m.group(1), m.group(0) if len(m.group(1)) == 1 else m.group(1)),
        text,
    )


def clean_inline(text: str) -> str:
    """Plain display text from one line of digest markup.

    Unicode is composed, mangled escapes repaired, LaTeX rendered, Markdown
    emphasis and code spans unwrapped, control characters and runs of spaces
    folded to one space. ``<EOS>``-like tokens stay: in digests they are text.
    """
    text = normalize_unicode(text)
    text = clean_latex(text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _CODE.sub(r"\1", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
