"""The command line as a user runs it: output, JSON shapes, exit codes, error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as windex

from papersearch.cli import main

from conftest import DigestWriter
from helpers import SEEDS, digest, entry


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "index"
    result = CliRunner().invoke(main, ["index", str(SEEDS), "--index", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "29 papers" in result.output
    return path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_query_human_output(cli_index: Path) -> None:
    code, out, _ = run("query", "기계 생성 텍스트 탐지", "--index", str(cli_index))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(" 1. Spotting LLMs With Binoculars")
    assert "2401.12070 · 2024-01-23 · 25 votes" in lines[1]
    assert "Avi Schwarzschild" in lines[2]
    assert "[탐지]" in lines[3] and "\x1b[" not in out  # plain, marked, when piped


def test_query_json_shape(cli_index: Path) -> None:
    code, out, _ = run("query", "Tom Goldstein", "--json", "--index", str(cli_index))
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "Tom Goldstein" and data["total"] == 1
    hit = data["hits"][0]
    assert {"arxiv_id", "title", "url", "votes", "dates", "authors", "score",
            "snippet"} <= set(hit)
    assert hit["arxiv_id"] == "2401.12070" and hit["url"] == "https://arxiv.org/abs/2401.12070"
    assert hit["votes"] == 25 and hit["dates"] == ["2024-01-23"]
    assert "Tom Goldstein" in hit["authors"] and hit["snippet"]


def test_query_options(cli_index: Path) -> None:
    code, out, _ = run("query", "모델", "--json", "--index", str(cli_index), "--sort", "votes",
                       "--since", "2024-03-01", "--until", "2024-03-31", "--min-votes", "10",
                       "--limit", "3")
    assert code == 0
    hits = json.loads(out)["hits"]
    assert len(hits) == 3
    assert all(h["votes"] >= 10 and h["dates"][-1].startswith("2024-03") for h in hits)
    assert [h["votes"] for h in hits] == sorted((h["votes"] for h in hits), reverse=True)


def test_zero_hits_is_success(cli_index: Path) -> None:
    code, out, _ = run("query", "qqqzzzxxx", "--index", str(cli_index))
    assert code == 0 and "No papers found" in out
    code, out, _ = run("query", "qqqzzzxxx", "--json", "--index", str(cli_index))
    assert code == 0 and json.loads(out)["hits"] == []


def test_index_from_environment(cli_index: Path) -> None:
    code, out, _ = run("stats", "--json", env={"PAPERSEARCH_INDEX": str(cli_index)})
    assert code == 0 and json.loads(out)["papers"] == 29


def test_show_and_stats(cli_index: Path) -> None:
    code, out, _ = run("show", "2403.03206", "--index", str(cli_index))
    assert code == 0
    assert out.startswith("Scaling Rectified Flow Transformers")
    assert "https://arxiv.org/abs/2403.03206" in out and "Votes: 22" in out
    code, out, _ = run("show", "2403.03206", "--json", "--index", str(cli_index))
    assert json.loads(out)["arxiv_id"] == "2403.03206"
    code, out, _ = run("stats", "--index", str(cli_index))
    assert code == 0 and "Papers:  29" in out and "2024-01-23 .. 2024-03-06" in out


def test_errors_are_messages_not_tracebacks(tmp_path: Path, cli_index: Path) -> None:
    code, _, err = run("query", "확산", "--index", str(tmp_path / "none"))
    assert code == 1
    assert "no index here; build one with: papersearch index PATH" in err
    assert "Traceback" not in err
    code, _, err = run("show", "9999.99999", "--index", str(cli_index))
    assert code == 1 and "paper '9999.99999': not in the index" in err
    code, _, err = run("query", "x" * 20000, "--index", str(cli_index))
    assert code == 1 and "too long" in err and "Traceback" not in err
    code, _, err = run("query", "x", "--since", "yesterday", "--index", str(cli_index))
    assert code == 2 and "yesterday" in err


def test_debug_shows_traceback(tmp_path: Path) -> None:
    code, _, err = run("--debug", "query", "확산", "--index", str(tmp_path / "none"))
    assert code == 1 and "Traceback" in err and "no index here" in err


def test_broken_digest_exits_non_zero_and_keeps_the_rest(tmp_path: Path,
                                                        write_digest: DigestWriter) -> None:
    path = write_digest("2024/06/01.md", digest(
        "2024-06-01", entry("2406.00001", "Kept Paper", ["보존되는 논문."]),
        "### [broken](not-a-link)\n\n- 버려짐\n\n"))
    index = str(tmp_path / "ix")
    code, out, err = run("index", str(path), "--index", index)
    assert code == 1
    assert f"{path}:13: error: malformed paper heading" in err
    assert "1 added" in out
    code, out, _ = run("show", "2406.00001", "--index", index)
    assert code == 0 and "Kept Paper" in out


def test_index_json_and_rebuild(tmp_path: Path) -> None:
    index = str(tmp_path / "ix")
    code, out, _ = run("index", str(SEEDS / "2024-01-23.md"), "--index", index, "--json")
    data = json.loads(out)
    assert code == 0 and data["papers"] == 16 and data["papers_added"] == 16
    code, out, _ = run("index", "--rebuild", str(SEEDS / "2024-03-06.md"), "--index", index,
                       "--json")
    assert code == 0 and json.loads(out)["papers"] == 13  # the old days are gone


def test_locked_index_fails_with_message(tmp_path: Path) -> None:
    from papersearch import PaperIndex

    PaperIndex.create(tmp_path / "ix").close()
    holder = windex.open_dir(str(tmp_path / "ix")).writer()  # another writer
    try:
        code, _, err = run("index", str(SEEDS), "--index", str(tmp_path / "ix"),
                           "--lock-timeout", "0.2")
    finally:
        holder.cancel()
    assert code == 1 and "another process is writing" in err and str(tmp_path / "ix") in err


def test_query_may_start_with_a_minus(cli_index: Path) -> None:
    code, out, _ = run("query", "-music", "diffusion", "--json", "--index", str(cli_index))
    assert code == 0
    ids = [h["arxiv_id"] for h in json.loads(out)["hits"]]
    assert ids and "2401.12179" not in ids
    code, out, _ = run("query", "-music diffusion", "--json", "--index", str(cli_index))
    assert code == 0 and [h["arxiv_id"] for h in json.loads(out)["hits"]] == ids


def test_query_explain(cli_index: Path) -> None:
    code, out, _ = run("query", "Tom Goldstein", "--explain", "--index", str(cli_index))
    assert code == 0
    lines = out.splitlines()
    text_line = next(line for line in lines if "text " in line and " = " in line)
    assert "authors" in text_line
    assert any(line.split()[:2] == ["authors", "goldstein"] for line in lines)
    assert any("× vote factor" in line and "(25 votes, weight 0.30)" in line for line in lines)
    code, out, _ = run("query", "Tom Goldstein", "--explain", "--vote-weight", "0",
                       "--index", str(cli_index))
    assert code == 0 and "× vote factor 1.000 (votes off)" in out
    code, out, _ = run("query", "Tom Goldstein", "--explain", "--json", "--index", str(cli_index))
    explanation = json.loads(out)["hits"][0]["explanation"]
    # the two words, and the two as one author's name
    assert {t["text"] for t in explanation["terms"]} == {"tom", "goldstein", "tom goldstein"}
    assert explanation["score"] == pytest.approx(json.loads(out)["hits"][0]["score"], rel=1e-3)
    # without --explain the JSON shape stays as it was
    code, out, _ = run("query", "Tom Goldstein", "--json", "--index", str(cli_index))
    assert "explanation" not in json.loads(out)["hits"][0]


# -- discovery: did-you-mean, facets, similar, suggest ------------------------------------

def test_query_says_did_you_mean(cli_index: Path) -> None:
    code, out, _ = run("query", "Binocularz", "--no-correct", "--index", str(cli_index))
    assert code == 0
    assert out.splitlines()[0] == "Did you mean: binoculars"
    code, out, _ = run("query", "Binocularz", "--no-correct", "--index", str(cli_index),
                       "--json")
    assert json.loads(out)["did_you_mean"] == "binoculars"


def test_query_facets_in_json_and_on_request(cli_index: Path) -> None:
    code, out, _ = run("query", "모델", "--index", str(cli_index), "--json")
    assert code == 0
    facets = json.loads(out)["facets"]
    assert {m["value"] for m in facets["months"]} == {"2024-01", "2024-03"}
    assert facets["votes"][0] == {"value": "0-4", "count": facets["votes"][0]["count"],
                                  "min_votes": 0, "max_votes": 4}
    code, plain, _ = run("query", "모델", "--index", str(cli_index))
    assert code == 0 and "Months:" not in plain
    code, shown, _ = run("query", "모델", "--index", str(cli_index), "--facets")
    assert code == 0
    months = next(line for line in shown.splitlines() if line.startswith("Months:"))
    assert "2024-03 (" in months and "2024-01 (" in months
    assert any(line.startswith("Authors:") for line in shown.splitlines())


def test_query_author_and_vote_range_filters(cli_index: Path) -> None:
    code, out, _ = run("query", "텍스트", "--index", str(cli_index), "--json",
                       "--author", "tom goldstein")
    assert code == 0 and [h["arxiv_id"] for h in json.loads(out)["hits"]] == ["2401.12070"]
    code, out, _ = run("query", "모델", "--index", str(cli_index), "--json", "--min-votes", "10",
                       "--max-votes", "19", "--limit", "50")
    votes = [h["votes"] for h in json.loads(out)["hits"]]
    assert votes and all(10 <= v <= 19 for v in votes)


def test_similar_command(cli_index: Path) -> None:
    code, out, _ = run("similar", "2401.12070", "--index", str(cli_index), "--limit", "3")
    assert code == 0
    assert out.splitlines()[0] == ("Papers like 2401.12070: Spotting LLMs With Binoculars: "
                                   "Zero-Shot Detection of Machine-Generated Text")
    assert out.count("\n 1. ") == 1 and " 3. " in out and " 4. " not in out
    code, out, _ = run("similar", "2401.12070", "--index", str(cli_index), "--json")
    data = json.loads(out)
    assert data["arxiv_id"] == "2401.12070" and data["terms"] and data["hits"]
    assert "2401.12070" not in [h["arxiv_id"] for h in data["hits"]]
    code, _, err = run("similar", "9999.99999", "--index", str(cli_index))
    assert code == 1 and "9999.99999" in err and "not in the index" in err


def test_suggest_command(cli_index: Path) -> None:
    code, out, _ = run("suggest", "확", "--index", str(cli_index))
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows and all(text.startswith("확") for text, _ in rows)
    counts = [int(n) for _, n in rows]
    assert counts == sorted(counts, reverse=True)
    code, out, _ = run("suggest", "확산", "모", "--index", str(cli_index), "--json")
    first = json.loads(out)[0]
    assert first["text"] == "확산 모델" and first["papers"] > 0
