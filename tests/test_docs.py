"""The README's examples stay true: its first commands, its command-line synopsis, its JSON
example and its library example are run here against the seeds."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from papersearch.cli import main

from helpers import ROOT, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the seeds, as a fresh clone has them, as the working directory."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_the_first_commands_index_the_seeds_and_find_papers(project: Path) -> None:
    setup, job = blocks("bash")[0].strip().splitlines()
    assert "pip install -e" in setup
    commands = [shlex.split(part) for part in job.split("&&")]
    assert [c[:2] for c in commands] == [["papersearch", "index"], ["papersearch", "query"]]
    code, out = cli(*commands[0][1:])
    assert code == 0 and "29 papers" in out, out
    code, out = cli(*commands[1][1:])
    assert code == 0 and "확산" in out and re.search(r"\b\d{4}\.\d{5}\b", out), out


def synopsis() -> list[tuple[str, list[str]]]:
    """(command, its options) for each line of the README's command-line synopsis."""
    text = next(b for b in blocks("bash") if "papersearch index --rebuild" in b)
    found: dict[str, list[str]] = {}
    command = ""
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        if line.startswith("papersearch "):
            command = line.split()[1]
        found.setdefault(command, []).extend(re.findall(r"--[a-z][a-z-]*", line))
    return sorted(found.items())


@pytest.mark.parametrize(("command", "options"), synopsis(), ids=[c for c, _ in synopsis()])
def test_every_option_of_the_synopsis_exists(command: str, options: list[str]) -> None:
    code, out = cli(command, "--help")
    assert code == 0, out
    missing = [o for o in options if o not in out]
    assert not missing, f"papersearch {command} has no {missing}"


def test_json_example_has_the_real_shape(project: Path) -> None:
    example = json.loads(next(b for b in blocks("json") if '"query"' in b))
    assert cli("index", "seeds/")[0] == 0
    code, out = cli("query", example["query"], "--json")
    assert code == 0
    real = json.loads(out)
    assert set(example) == set(real) - {"facets"}  # facets: described below the example
    assert all(real[k] == example[k] for k in example if k != "hits")
    assert real["total"] == example["total"] and len(real["hits"]) == len(example["hits"])
    for shown, hit in zip(example["hits"], real["hits"], strict=True):
        assert set(shown) == set(hit)
        for key in ("arxiv_id", "title", "url", "votes", "dates", "partial"):
            assert hit[key] == shown[key], key
        assert [a for a in shown["authors"] if a != "..."] == [
            a for a in hit["authors"] if a in shown["authors"]]
        assert hit["snippet"].startswith(shown["snippet"].removesuffix(" ...").rstrip())
        assert abs(hit["score"] - shown["score"]) < 0.01  # scores change only with ranking


def test_library_example_runs(project: Path) -> None:
    code = next(b for b in blocks("python") if "PaperIndex.create" in b)
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    result = scope["result"]
    assert result.query == "트랜스포머" and result.hits  # type: ignore[attr-defined]
    assert result.corrected_from == "트랜스포며"  # type: ignore[attr-defined]
    assert scope["paper"] is not None and scope["report"].added  # type: ignore[attr-defined]


def test_the_schema_version_named_is_the_one_in_use() -> None:
    # an index of another version asks for a rebuild; the README says which version this is
    from papersearch.schema import SCHEMA_VERSION

    named = re.findall(r"another schema version \(this is version (\d+)\)", README)
    assert named == [str(SCHEMA_VERSION)]
