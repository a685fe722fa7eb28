"""Hostile queries: how long the worst inputs we know take, from the API and the CLI.

    python benchmarks/load/worst.py            # on the load benchmark's corpus index
    python benchmarks/load/worst.py --write    # also update benchmarks/RESULTS.md

Each query is one request of at most 1,000 characters (the parser's limit): phrases of
repeated words, many common words, deep groups, many exclusions, typos that send
did-you-mean through every word, explanations of a hundred hits. Times are wall
clock of one request to a running server (warm: after one earlier request), and of
one ``papersearch query`` process (cold).
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from results import replace_section  # noqa: E402
from run import Server, build_index  # noqa: E402

COMMON = [  # words in most summaries
    "모델", "학습", "데이터", "성능", "방법", "대규모", "언어", "생성",
    "이미지", "평가", "기반", "결과", "연구", "제안", "실험", "효율",
    "추론", "비디오", "텍스트", "다양", "능력", "향상", "작업", "벤치마크",
    "정보", "문제", "과정", "구조", "기술", "시스템", "특징", "분석",
    "최적화", "정확도", "사용자", "품질", "입력", "출력", "훈련", "예측",
    "새로운", "활용", "개선", "접근", "비교", "대한", "통해", "위한",
    "가능", "기존", "주요", "다양한", "높은", "모든", "여러", "가지",
    "경우", "방식", "시간",
]

WORST: dict[str, tuple[str, dict[str, str]]] = {
    "330 repeats of a word, quoted": ('"' + "모델 " * 330 + '"', {}),
    "166 repeats of an English word, quoted": ('"' + "model " * 166 + '"', {}),
    "one 500-syllable word": ("모델" * 250, {}),
    "64 common words": (" ".join(COMMON[:64]), {}),
    "32 common words ORed": (" OR ".join(COMMON[:32]), {}),
    "64 common words, each excluded but one": (
        COMMON[0] + " " + " ".join("-" + w for w in COMMON[1:60]), {}),
    "16 nested groups": ("(" * 16 + " ".join(COMMON[:8]) + ")" * 16, {}),
    "60 typos": (" ".join(w + "즙" for w in COMMON[:60]), {}),
    "8 typos (did-you-mean corrects every word)": (" ".join(w + "즙" for w in COMMON[:8]), {}),
    "a broad query explained, 100 hits": ("확산 모델", {"explain": "true", "limit": "100"}),
    "a long paraphrase explained, 100 hits": (
        "라벨 없는 대량의 이미지로 학습한 단안 깊이 추정 파운데이션 모델",
        {"explain": "true", "limit": "100"}),
}


def api_time(port: int, query: str, params: dict[str, str]) -> tuple[float, int]:
    path = "/api/search?" + urllib.parse.urlencode({"q": query, **params})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return time.perf_counter() - start, response.status


def cli_time(index_dir: Path, query: str, params: dict[str, str]) -> tuple[float, int]:
    args = [sys.executable, "-m", "papersearch.cli", "query", query, "--index", str(index_dir)]
    if params.get("explain"):
        args.append("--explain")
    if "limit" in params:
        args += ["--limit", params["limit"]]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, check=False)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "papersearch-load")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    index_dir = build_index(args.work, None)
    server = Server(index_dir, None, 1024)
    rows = []
    try:
        api_time(server.port, "확산 모델", {})
        for name, (query, params) in WORST.items():
            assert len(query) <= 1000, name
            api_seconds, status = api_time(server.port, query, params)
            cli_seconds, code = cli_time(index_dir, query, params)
            rows.append((name, len(query), api_seconds, status, cli_seconds, code))
    finally:
        server.stop()
    lines = ["| query | characters | API (warm) | HTTP status | CLI (cold process) | exit |",
             "|---|---|---|---|---|---|"]
    for name, chars, api_s, status, cli_s, code in rows:
        lines.append(f"| {name} | {chars} | {api_s * 1000:.0f} ms | {status} | "
                     f"{cli_s * 1000:.0f} ms | {code} |")
    worst = max(rows, key=lambda r: max(r[2], r[4]))
    report = "\n".join([*lines, "", f"Worst: {worst[0]} ({max(worst[2], worst[4]):.2f} s)."])
    print(report)
    (args.work / "worst.json").write_text(json.dumps(rows), encoding="utf-8")
    if args.write:
        command = " ".join(["python benchmarks/load/worst.py", *sys.argv[1:]])
        replace_section("Hostile queries", "\n".join([
            f"`{command}` ({time.strftime('%Y-%m-%d')})", "",
            __doc__.split("\n\n", 2)[2].strip(), "", report]))


if __name__ == "__main__":
    main()
