"""Load benchmark: ``papersearch serve`` on loopback under clients, bursts and an indexer.

    python benchmarks/load/run.py                      # the full run (about 6 minutes)
    python benchmarks/load/run.py --compare CHECKOUT   # also serve another checkout's code
    python benchmarks/load/run.py --write              # also update benchmarks/RESULTS.md

The server runs in its own process under ``ulimit -n 256`` on a copy of the full-corpus
index; clients are threads in this process, each with one keep-alive connection, so
they share the machine's 2 cores with the server (the figures are what one laptop
does serving itself). Each phase reports requests per second, latency p50/p95/p99,
errors (anything but 200), the server's resident memory and open files before and
after, and its peak memory:

- ``N clients``: N clients for ``--seconds`` each, a mix of search (80%, the relevance
  benchmark's queries), suggest (10%, prefixes of them) and similar (10%, papers found);
- ``N clients + indexer``: the same while another process adds a new day every second;
- ``bursts``: ``--bursts`` bursts of 32 concurrent searches, ``--gap`` seconds apart, longer
  than the server's worker-thread idle timeout (AnyIO retires idle threads after 10 s),
  so every burst meets new threads.

``--compare`` serves the same phases with another checkout of papersearch (a git
worktree of an earlier commit), so before and after come from one run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "daily_papers_ko" / "paper_logs"
QUERIES_TSV = ROOT / "benchmarks" / "relevance" / "queries.tsv"
sys.path.insert(0, str(ROOT / "benchmarks"))
from results import replace_section  # noqa: E402


def queries() -> list[str]:
    lines = QUERIES_TSV.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[2] for line in lines if line and not line.startswith("#")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the server process --------------------------------------------------------------------

class Server:
    """``papersearch serve`` in a child process (optionally another checkout's code)."""

    def __init__(self, index_dir: Path, checkout: Path | None, nofile: int,
                 workers: int = 1) -> None:
        self.port = free_port()
        # ``python -m`` puts the working directory first on sys.path, ahead of PYTHONPATH:
        # run in the checkout whose code is served, or this one's would be imported instead.
        code = (checkout or ROOT).resolve()
        env = {**os.environ, "PYTHONPATH": str(code)}
        self.env = env

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "papersearch.cli", "serve", "--index", str(index_dir.resolve()),
             "--port", str(self.port), *(["--workers", str(workers)] if workers > 1 else [])],
            env=env, cwd=code, preexec_fn=limit, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                get(self.port, "/api/stats", timeout=5)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("server died: " + self.proc.stderr.read().decode()  # type: ignore[union-attr]
                                       ) from None
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def processes(self) -> list[int]:
        """The server's process and its descendants (``--workers`` processes)."""
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                with contextlib.suppress(OSError):
                    todo += [int(c) for c in (task / "children").read_text().split()]
        return found

    def status(self) -> dict[str, int]:
        """Resident memory, peak resident memory (kB) and open files of the server, summed
        over its processes."""
        fields = {"VmRSS": 0, "VmHWM": 0, "files": 0}
        for pid in self.processes():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    key, _, value = line.partition(":")
                    if key in {"VmRSS", "VmHWM"}:
                        fields[key] += int(value.split()[0])
                fields["files"] += len(os.listdir(f"/proc/{pid}/fd"))
            except OSError:
                pass  # a process that just ended
        return fields

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def get(port: int, path: str, timeout: float = 30, conn: http.client.HTTPConnection | None = None
        ) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


# -- clients ---------------------------------------------------------------------------------

@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors[error] = self.errors.get(error, 0) + 1


def request_mix(rng: random.Random, words: list[str], ids: list[str]) -> str:
    roll = rng.random()
    if roll < 0.8:
        return "/api/search?" + urllib.parse.urlencode({"q": rng.choice(words)})
    if roll < 0.9:
        word = rng.choice(words).split()[0]
        return "/api/suggest?" + urllib.parse.urlencode({"q": word[:max(1, len(word) - 1)]})
    return f"/api/papers/{rng.choice(ids)}/similar"


def client(port: int, seed: int, until: float, tally: Tally, words: list[str],
           ids: list[str]) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < until:
        path = request_mix(rng, words, ids)
        start = time.perf_counter()
        error = None
        try:
            status, _ = get(port, path, conn=conn)
            if status != 200:
                error = str(status)
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        tally.add(time.perf_counter() - start, error)
    conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def phase(server: Server, name: str, clients: int, seconds: float, words: list[str],
          ids: list[str], indexer: Path | None = None) -> dict[str, Any]:
    before = server.status()
    adder = None
    if indexer is not None:  # the indexer runs the served checkout's code too
        adder = subprocess.Popen([sys.executable, __file__, "--child-indexer", str(indexer),
                                  str(seconds)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=server.env)
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(server.port, i, until, tally, words, ids))
               for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if adder is not None:
        adder.wait()
    after = server.status()
    lat = [x * 1000 for x in tally.latencies]
    return {"name": name, "requests": len(lat), "rps": len(lat) / elapsed,
            "p50": percentile(lat, 50), "p95": percentile(lat, 95), "p99": percentile(lat, 99),
            "errors": sum(tally.errors.values()), "error_kinds": tally.errors,
            "rss_before": before["VmRSS"] // 1024, "rss_after": after["VmRSS"] // 1024,
            "rss_peak": after["VmHWM"] // 1024,
            "files_before": before["files"], "files_after": after["files"]}


def bursts(server: Server, count: int, gap: float, words: list[str]) -> dict[str, Any]:
    before = server.status()
    files = []
    tally = Tally()
    for n in range(count):
        if n:
            time.sleep(gap)

        def one(i: int, n: int = n) -> None:
            q = words[(n * 32 + i) % len(words)]
            path = "/api/search?" + urllib.parse.urlencode({"q": q})
            start = time.perf_counter()
            try:
                status, _ = get(server.port, path)
                error = None if status == 200 else str(status)
            except (OSError, http.client.HTTPException) as exc:
                error = type(exc).__name__
            tally.add(time.perf_counter() - start, error)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        files.append(server.status()["files"])
    after = server.status()
    lat = [x * 1000 for x in tally.latencies]
    return {"name": f"{count} bursts of 32, {gap:.0f} s apart", "requests": len(lat), "rps": None,
            "p50": percentile(lat, 50), "p95": percentile(lat, 95), "p99": percentile(lat, 99),
            "errors": sum(tally.errors.values()), "error_kinds": tally.errors,
            "rss_before": before["VmRSS"] // 1024, "rss_after": after["VmRSS"] // 1024,
            "rss_peak": after["VmHWM"] // 1024, "files_before": before["files"],
            "files_after": after["files"], "files_each": files}


def child_indexer(index_dir: Path, seconds: float) -> None:
    """(A child process) add a new day to ``index_dir`` every second for ``seconds``."""
    sys.path.insert(0, str(ROOT / "tests"))
    from papersearch import PaperIndex

    from helpers import synthetic_days

    days = synthetic_days(int(seconds) + 1, Path(tempfile.mkdtemp()) / "days",
                          start=random.Random().randrange(900))
    with PaperIndex.open(index_dir, lock_timeout=30) as index:
        until = time.monotonic() + seconds
        for day in days:
            if time.monotonic() >= until:
                break
            index.add(day)
            time.sleep(1)


# -- the run -----------------------------------------------------------------------------------

def build_index(work: Path, checkout: Path | None) -> Path:
    """The full-corpus index as ``checkout``'s code (or this one's) builds it, built once
    (each version reads only its own schema)."""
    code = (checkout or ROOT).resolve()
    commit = subprocess.run(["git", "-C", str(code), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    index_dir = work / f"corpus-index-{commit or code.name}"
    if not index_dir.exists():
        script = ("import sys; from papersearch import PaperIndex\n"
                  "with PaperIndex.create(sys.argv[1]) as index: index.add(sys.argv[2])")
        subprocess.run([sys.executable, "-c", script, str(index_dir), str(CORPUS)],
                       env={**os.environ, "PYTHONPATH": str(code)}, cwd=code, check=True)
    return index_dir


def run_all(label: str, checkout: Path | None, work: Path,
            args: argparse.Namespace, words: list[str], ids: list[str]) -> list[dict[str, Any]]:
    source = build_index(work, checkout)
    copy = work / f"serve-{label}"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(source, copy)
    out = []
    server = Server(copy, checkout, args.nofile, args.server_workers)
    try:
        for n in args.clients:
            out.append(phase(server, f"{n} clients", n, args.seconds, words, ids))
            out.append(phase(server, f"{n} clients + indexer", n, args.seconds, words, ids,
                             indexer=copy))
        if args.bursts:
            out.append(bursts(server, args.bursts, args.gap, words))
    finally:
        server.stop()
    for row in out:
        row["system"] = label
    return out


def table(rows: list[dict[str, Any]]) -> str:
    head = ["code", "phase", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors",
            "RSS before / after / peak MB", "open files before / after"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        rps = f"{r['rps']:.0f}" if r["rps"] is not None else "-"
        kinds = ", ".join(f"{k}: {v}" for k, v in r["error_kinds"].items())
        errors = str(r["errors"]) + (f" ({kinds})" if r["errors"] else "")
        files = f"{r['files_before']} / {r['files_after']}"
        if "files_each" in r:
            files += f" (after each burst: {', '.join(map(str, r['files_each']))})"
        lines.append("| " + " | ".join([
            r["system"], r["name"], str(r["requests"]), rps, f"{r['p50']:.0f}", f"{r['p95']:.0f}",
            f"{r['p99']:.0f}", errors,
            f"{r['rss_before']} / {r['rss_after']} / {r['rss_peak']}", files]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "papersearch-load")
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[8, 32])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--bursts", type=int, default=10)
    parser.add_argument("--gap", type=float, default=12)
    parser.add_argument("--nofile", type=int, default=256, help="the server's ulimit -n")
    parser.add_argument("--server-workers", type=int, default=1,
                        help="serve with --workers N (figures summed over the processes)")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also serve another checkout's papersearch (before a change)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--child-indexer", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_indexer:
        child_indexer(Path(args.child_indexer[0]), float(args.child_indexer[1]))
        return
    if not CORPUS.exists():
        sys.exit(f"shared corpus not found at {CORPUS}")
    args.work.mkdir(parents=True, exist_ok=True)
    words = queries()
    from papersearch import PaperIndex

    with PaperIndex.open(build_index(args.work, None)) as index:
        ids = sorted({h.arxiv_id for w in words[:30] for h in index.search(w, limit=3).hits})
    rows = []
    if args.compare:
        commit = subprocess.run(["git", "-C", str(args.compare), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=False).stdout.strip()
        rows += run_all(f"before ({commit or args.compare.name})", args.compare, args.work, args,
                        words, ids)
    rows += run_all("this checkout", None, args.work, args, words, ids)
    machine = (f"{os.cpu_count()} cores ({platform.machine()}), "
               f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
               f"server under ulimit -n {args.nofile}"
               + (f", {args.server_workers} worker processes (RSS and files summed)"
                  if args.server_workers > 1 else "") + "; clients in the same machine")
    report = "\n".join([f"Machine: {machine}", "", table(rows)])
    print(report)
    (args.work / "load.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if args.write:
        # a checkout's folder is this machine's: the command shows its role, the table its commit
        shown = ["CHECKOUT" if args.compare and a == str(args.compare) else a for a in sys.argv[1:]]
        command = " ".join(["python benchmarks/load/run.py", *shown])
        title = "Serve under load" + (f", --workers {args.server_workers}"
                                      if args.server_workers > 1 else "")
        replace_section(title, "\n".join([
            f"`{command}` ({time.strftime('%Y-%m-%d')})", "", __doc__.split("\n\n", 2)[2].strip(),
            "", report]))


if __name__ == "__main__":
    main()
