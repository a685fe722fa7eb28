"""Reading digests: every format variation of the corpus README, and broken input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from papersearch import DigestError, parse_digest
from papersearch.ingest.digest import date_from_path, find_digests, parse_authors

from conftest import DigestWriter
from helpers import CORPUS, SEEDS, corpus_file, digest, entry


def test_seed_digests_parse_completely() -> None:
    first = parse_digest(SEEDS / "2024-01-23.md")
    second = parse_digest(SEEDS / "2024-03-06.md")
    assert (first.day, len(first.entries)) == (dt.date(2024, 1, 23), 16)
    assert (second.day, len(second.entries)) == (dt.date(2024, 3, 6), 13)
    assert first.issues == [] and second.issues == []
    binoculars = first.entries[0]
    assert binoculars.arxiv_id == "2401.12070"
    assert binoculars.title == ("Spotting LLMs With Binoculars: Zero-Shot Detection of "
                                "Machine-Generated Text")
    assert binoculars.url == "https://arxiv.org/abs/2401.12070"
    assert binoculars.votes == 25
    assert binoculars.authors[6] == "Tom Goldstein" and len(binoculars.authors) == 8
    assert binoculars.image_url and binoculars.image_url.endswith(".png")
    assert len(binoculars.bullets) == 4
    assert binoculars.bullets[0].text.startswith("최신 대형 언어 모델(Large Language Models, LLM)")
    assert binoculars.line == 3


def test_plus_placeholders_dropped_from_authors() -> None:
    cmmmu = parse_digest(SEEDS / "2024-01-23.md").entries[1]
    assert cmmmu.arxiv_id == "2401.11944"
    assert "+" not in cmmmu.authors
    assert cmmmu.authors[:4] == ["Ge Zhang", "Yu-Hsuan Tsai", "Yizhi Li", "Ruibin Yuan"]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("A Kim, +, B Lee", ["A Kim", "B Lee"]),
        ("+, A Kim, B Lee", ["A Kim", "B Lee"]),
        ("A Kim, B Lee, +", ["A Kim", "B Lee"]),
        ("['Zihan Zhou', 'Zhixing Tan']", ["Zihan Zhou", "Zhixing Tan"]),
        ("[\"Conor O'Brien\", 'Léo Tronchon']", ["Conor O'Brien", "Léo Tronchon"]),
        ("['Broken', 'list'", ["['Broken'", "'list'"]),
        ("", []),
    ],
)
def test_author_line_forms(value: str, names: list[str]) -> None:
    assert parse_authors(value) == names


def test_python_list_authors_in_corpus() -> None:
    day = parse_digest(corpus_file("2024/10/18.md"))
    first = day.entries[0]
    assert first.arxiv_id == "2410.09342"
    assert first.authors[:2] == ["Zihan Zhou", "Zhixing Tan"]
    assert all("'" not in a and "[" not in a for e in day.entries for a in e.authors)
    assert first.bullets[0].label == "What's New"
    assert first.bullets[1].label == "Technical Details"
    assert first.bullets[2].label == "Performance Highlights"


def test_second_day_header_in_one_file() -> None:
    day = parse_digest(corpus_file("2024/10/18.md"))
    assert day.day == dt.date(2024, 10, 18)
    assert len(day.entries) == 9  # entries under both "## Daily Papers (2024-10-18)" headers
    assert {e.date for e in day.entries} == {dt.date(2024, 10, 18)}


def test_first_day_has_no_image_vote_or_authors() -> None:
    day = parse_digest(corpus_file("2023/11/20.md"))
    assert day.issues == []
    video_llava = day.entries[0]
    assert video_llava.arxiv_id == "2311.10122"
    assert video_llava.votes is None and video_llava.authors == [] and video_llava.image_url is None
    assert len(video_llava.bullets) == 7  # the next heading follows the last bullet directly
    nested = [b for e in day.entries for b in e.bullets if b.level == 1]
    assert [b.text[:3] for b in nested] == ["(1)", "(2)", "(3)", "(4)"]


def test_old_video_tag_and_missing_blank_lines() -> None:
    day = parse_digest(corpus_file("2023/11/21.md"))
    faster, pixels = day.entries[0], day.entries[1]
    assert faster.authors == ["Peter Belcak", "Roger Wattenhofer"]
    assert faster.image_url is not None and len(faster.bullets) == 5
    assert pixels.video_url is not None and pixels.video_url.endswith(".mp4")


def test_watch_video_entries() -> None:
    day = parse_digest(corpus_file("2024/03/01.md"))
    humanoid = next(e for e in day.entries if e.arxiv_id == "2402.19469")
    assert humanoid.video_url is not None and humanoid.video_url.endswith(".mp4")
    assert humanoid.image_url is None and humanoid.votes == 16


def test_vote_dash_means_unknown() -> None:
    day = parse_digest(corpus_file("2023/12/12.md"))
    assert sum(1 for e in day.entries if e.votes is None) >= 3
    assert any(e.votes is not None for e in day.entries)


def test_numbered_lines_become_bullets_with_labels() -> None:
    day = parse_digest(corpus_file("2024/08/15.md"))
    labels = [b.label for e in day.entries for b in e.bullets]
    assert "Tokenizer" in labels and "Group Query Attention(GQA)" in labels
    day = parse_digest(corpus_file("2024/07/16.md"))
    texts = [b.text for e in day.entries for b in e.bullets]
    assert any(t.startswith("1) 정책 네트워크를") for t in texts)


def test_mangled_escape_repaired_in_bullets() -> None:
    day = parse_digest(corpus_file("2024/08/26.md"))
    texts = [b.text for e in day.entries for b in e.bullets]
    assert any("High-Resolution Early Dropping (HR-ED)" in t for t in texts)
    assert not any("\t" in t or "\f" in t for t in texts)


def test_english_only_summary_is_kept() -> None:
    day = parse_digest(corpus_file("2024/10/08.md"))
    berry = next(e for e in day.entries if e.arxiv_id == "2410.02884")
    assert berry.title.startswith("LLaMA-Berry")
    assert berry.bullets[0].text.startswith("LLaMA-Berry is a new framework")


def test_whole_corpus_parses_without_issues(corpus_dir: Path) -> None:
    files = find_digests(corpus_dir)
    assert len(files) == 357
    ids: set[str] = set()
    entries = 0
    for file in files:
        parsed = parse_digest(file, strict=True)
        entries += len(parsed.entries)
        ids.update(e.arxiv_id for e in parsed.entries)
        for e in parsed.entries:
            assert e.title and "$\\" not in e.title and "\\text" not in e.title, e.title
            assert "+" not in e.authors
    assert entries == 5488
    assert len(ids) == 5487


# -- broken and unusual input, written for the purpose ----------------------------------

def test_malformed_heading_reported_with_line_and_skipped(write_digest: DigestWriter) -> None:
    path = write_digest("2024/01/02.md", digest(
        "2024-01-02",
        entry("2401.00001", "Good One", ["첫 번째 논문입니다."]),
        "### [Broken heading without a link\n\n- 이 항목은 건너뜁니다.\n\n",
        entry("2401.00002", "Good Two", ["두 번째 논문입니다."]),
    ))
    parsed = parse_digest(path)
    assert [e.arxiv_id for e in parsed.entries] == ["2401.00001", "2401.00002"]
    [issue] = parsed.issues
    assert issue.severity == "error" and issue.path == str(path)
    assert issue.line == 13
    assert "malformed paper heading" in issue.message
    with pytest.raises(DigestError) as raised:
        parse_digest(path, strict=True)
    assert f"{path}:13" in str(raised.value)


def test_non_arxiv_link_is_malformed(write_digest: DigestWriter) -> None:
    path = write_digest("2024/01/03.md", digest(
        "2024-01-03", "### [Title](https://example.org/paper)\n\n- 본문\n\n",
        entry("2401.00003", "Fine", ["본문"])))
    parsed = parse_digest(path)
    assert [e.arxiv_id for e in parsed.entries] == ["2401.00003"]
    assert parsed.issues[0].line == 3


def test_bad_vote_is_a_warning_and_votes_unknown(write_digest: DigestWriter) -> None:
    path = write_digest("2024/01/04.md", digest(
        "2024-01-04", entry("2401.00004", "T", ["본문"], votes="many")))
    parsed = parse_digest(path)
    assert parsed.entries[0].votes is None
    assert [(i.severity, i.line) for i in parsed.issues] == [("warning", 7)]


def test_heading_glued_to_previous_bullet(write_digest: DigestWriter) -> None:
    text = digest("2024-01-05", entry("2401.00005", "First", ["첫 번째 요약."])).rstrip()
    text += "### [Second](https://arxiv.org/abs/2401.00006)\n\n- 두 번째 요약.\n"
    parsed = parse_digest(write_digest("2024/01/05.md", text))
    assert [e.arxiv_id for e in parsed.entries] == ["2401.00005", "2401.00006"]
    assert parsed.entries[0].bullets[-1].text == "첫 번째 요약."


def test_encodings_bom_crlf_and_cp949(write_digest: DigestWriter) -> None:
    text = digest("2024-01-06", entry("2401.00007", "Encoded", ["한국어 요약입니다."]))
    bom = write_digest("bom/2024-01-06.md", "\ufeff" + text)
    crlf = write_digest("crlf/2024-01-06.md", text.replace("\n", "\r\n"))
    cp949 = write_digest("cp949/2024-01-06.md", text, encoding="cp949")
    for path in (bom, crlf, cp949):
        parsed = parse_digest(path)
        assert parsed.entries[0].bullets[0].text == "한국어 요약입니다.", path
        assert parsed.entries[0].title == "Encoded"
    assert [i.message for i in parse_digest(cp949).issues] == ["not UTF-8; read as CP949"]


def test_binary_garbage_is_reported_not_fatal(write_digest: DigestWriter, tmp_path: Path) -> None:
    text = digest("2024-01-07", entry("2401.00008", "Survivor", ["살아남은 요약."]))
    path = tmp_path / "garbage.md"
    path.write_bytes(text.encode() + b"\x00\xff\xfe\x80garbage\x00\n")
    parsed = parse_digest(path)
    assert parsed.entries[0].arxiv_id == "2401.00008"
    assert parsed.issues and all(i.severity == "warning" for i in parsed.issues)
    assert parsed.day == dt.date(2024, 1, 7)


def test_undated_file_is_an_error(write_digest: DigestWriter) -> None:
    path = write_digest("notes/random.md", entry("2401.00009", "Undated", ["본문"]))
    with pytest.raises(DigestError) as raised:
        parse_digest(path)
    assert str(path) in str(raised.value)


def test_date_comes_from_path_when_header_missing(write_digest: DigestWriter) -> None:
    path = write_digest("2024/02/03.md", entry("2402.00001", "No header", ["본문"]))
    parsed = parse_digest(path)
    assert parsed.day == dt.date(2024, 2, 3)
    assert parsed.entries[0].date == dt.date(2024, 2, 3)


def test_nfd_digest_is_read_as_nfc(write_digest: DigestWriter) -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", digest("2024-01-08", entry("2401.00010", "NFD",
                                                                   ["확산 모델을 제안합니다."])))
    parsed = parse_digest(write_digest("2024/01/08.md", text))
    assert parsed.entries[0].bullets[0].text == "확산 모델을 제안합니다."


def test_duplicate_id_in_one_file_keeps_the_later(write_digest: DigestWriter) -> None:
    path = write_digest("2024/01/09.md", digest(
        "2024-01-09", entry("2401.00011", "Old", ["옛 요약"]),
        entry("2401.00011", "New", ["새 요약"])))
    parsed = parse_digest(path)
    assert [e.title for e in parsed.entries] == ["New"]
    assert parsed.issues[0].severity == "warning"


def test_date_from_path_forms() -> None:
    assert date_from_path(Path("paper_logs/2024/01/23.md")) == dt.date(2024, 1, 23)
    assert date_from_path(Path("seeds/2024-03-06.md")) == dt.date(2024, 3, 6)
    assert date_from_path(Path("notes.md")) is None
    assert date_from_path(Path("2024/13/45.md")) is None


def test_find_digests_skips_readme(tmp_path: Path) -> None:
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "01.md").write_text("x")
    (tmp_path / "README.md").write_text("x")
    assert [p.name for p in find_digests(tmp_path)] == ["01.md"]
    assert CORPUS.name == "paper_logs"
