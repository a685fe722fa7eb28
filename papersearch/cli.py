"""The ``papersearch`` command line: parse arguments, call the library, format output.

Human-readable output by default (coloured on a terminal, plain when piped),
``--json`` for machines. Errors print one clear line and exit non-zero;
``--debug`` shows the traceback too.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from papersearch import __version__
from papersearch.errors import AddInterrupted, PapersearchError
from papersearch.locate import INDEX_NAME, find_index, index_candidates
from papersearch.models import (
    SORT_ORDERS,
    AddReport,
    Explanation,
    FacetCount,
    Facets,
    Hit,
    Paper,
    ParseIssue,
    SearchOptions,
    SearchResult,
    bullet_line,
)
from papersearch.paperindex import PaperIndex
from papersearch.search.highlight import mark
from papersearch.search.ranking import DEFAULT_VOTE_WEIGHT, UNKNOWN_VOTES

F = TypeVar("F", bound=Callable[..., Any])

EXIT_ERROR = 1
EXIT_INTERNAL = 3
MAX_ISSUES_SHOWN = 20


def _located(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """The index named by --index or $PAPERSEARCH_INDEX, else the one found (see
    papersearch.locate). `index` writes: without a name it means ./index, never an index
    found in a folder above or the user's, which it could change by surprise."""
    if value is not None:
        return value
    if ctx.command.name == "index":
        return Path(INDEX_NAME)
    found = find_index()
    if found is not None:
        return found
    looked = index_candidates()
    places = ", ".join(str(p) for p in looked[:3]) + (
        f", ... {looked[-2]}" if len(looked) > 4 else "") + f", {looked[-1]}"
    raise click.ClickException(
        f"no index found (looked for index/ here and in every folder above: {places}); "
        "build one with: papersearch index PATH..., or name one with --index DIR or "
        "$PAPERSEARCH_INDEX")


def _index_option(fn: F) -> F:
    return click.option(
        "--index", "index_dir", envvar="PAPERSEARCH_INDEX", default=None,
        type=click.Path(file_okay=False, path_type=Path), callback=_located,
        help="Index directory (also $PAPERSEARCH_INDEX); by default index/ here or in the "
             "nearest folder above that has one, else ~/.local/share/papersearch/index.")(fn)


def _json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(fn)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def _errors(debug: bool) -> Iterator[None]:
    """Turn library errors into a message and an exit code, never a traceback."""
    try:
        yield
    except PapersearchError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except AddInterrupted as exc:
        done = exc.report
        if exc.kept:
            click.echo(f"Interrupted. Kept what was committed: {done.count('added')} files "
                       f"added, {done.count('updated')} updated ({done.papers_added} papers "
                       "added); the same command again finishes the rest.", err=True)
        else:
            click.echo("Interrupted. The rebuild was discarded; the index is as it was.",
                       err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"Internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                   "traceback)", err=True)
        sys.exit(EXIT_INTERNAL)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="papersearch")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("--trust-index", is_flag=True, envvar="PAPERSEARCH_TRUST_INDEX",
              help="Open an index other users can write to (opening runs code stored in "
                   "it: only for an index you know).")
@click.pass_context
def main(ctx: click.Context, debug: bool, trust_index: bool) -> None:
    """Search Korean Daily Papers digests: index them, then query."""
    ctx.obj = {"debug": debug, "trust": trust_index}


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.find_root().obj and ctx.find_root().obj.get("debug"))


def _trust(ctx: click.Context) -> bool:
    return bool(ctx.find_root().obj and ctx.find_root().obj.get("trust"))


def _open(ctx: click.Context, index_dir: Path, **options: Any) -> PaperIndex:
    return PaperIndex.open(index_dir, trust=_trust(ctx), **options)


# -- index -------------------------------------------------------------------------------

@main.command("index")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@_index_option
@click.option("--strict", is_flag=True, help="Fail on the first malformed entry.")
@click.option("--rebuild", is_flag=True,
              help="Build the index afresh from PATHS, replacing the old one when done.")
@click.option("--lock-timeout", type=float, default=10.0, show_default=True,
              help="Seconds to wait for another writer.")
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="Processes analyzing text beside the writer (default: 2 for large adds).")
@click.option("--prune", is_flag=True,
              help="Also remove the days whose files are gone from the folders in PATHS "
                   "(after a git pull in a checkout of the digests).")
@_json_option
@click.pass_context
def index_cmd(ctx: click.Context, paths: tuple[Path, ...], index_dir: Path, strict: bool,
              rebuild: bool, lock_timeout: float, workers: int | None, prune: bool,
              as_json: bool) -> None:
    """Add digest files or folders (PATHS) to the index, creating it if needed."""
    with _errors(_debug(ctx)):
        terminal = not as_json and sys.stderr.isatty()
        bar: Any = None
        shown = -1  # the last tenth reported, without a terminal

        def progress(done: int, total: int, path: str) -> None:
            nonlocal bar, shown
            if as_json or total < 5:
                return
            if not terminal:  # a log: a plain line every tenth
                if done * 10 // total > shown:
                    shown = done * 10 // total
                    click.echo(f"  {done}/{total} files written", err=True)
                return
            if bar is None:
                bar = click.progressbar(length=total, label="Writing digests", file=sys.stderr)
                bar.__enter__()
            bar.update(1)
            if done == total:
                bar.__exit__(None, None, None)

        def phase(line: str) -> None:
            if not as_json:
                click.echo(f"{line[:1].upper()}{line[1:]}...", err=True)

        if rebuild:
            index, report = PaperIndex.rebuild(index_dir, list(paths), strict=strict,
                                               progress=progress, workers=workers,
                                               lock_timeout=lock_timeout, phase=phase)
        else:
            index = _open(ctx, index_dir, create=True, lock_timeout=lock_timeout)
            report = index.add(list(paths), strict=strict, progress=progress, workers=workers,
                               prune=prune, phase=phase)
        with index:
            stats = index.stats()
        if as_json:
            _echo_json({**report.model_dump(mode="json"), "papers": stats.papers,
                        "index": str(index_dir)})
        else:
            _print_issues(report.issues)
            _print_add_report(report, stats.papers, index_dir)
        read = len(report.files) - report.count("failed") - report.count("removed")
        if report.failed or (read == 0 and not report.removed) or any(
                i.severity == "error" for i in report.issues):
            sys.exit(EXIT_ERROR)


def _print_issues(issues: list[ParseIssue]) -> None:
    # errors first (a file that could not be read at all is one of them), then warnings
    issues = sorted(issues, key=lambda i: i.severity != "error")
    for issue in issues[:MAX_ISSUES_SHOWN]:
        colour = "red" if issue.severity == "error" else "yellow"
        click.echo(click.style(str(issue), fg=colour), err=True)
    if len(issues) > MAX_ISSUES_SHOWN:
        click.echo(f"... and {len(issues) - MAX_ISSUES_SHOWN} more issues (see --json)",
                   err=True)


def _print_add_report(report: AddReport, papers: int, index_dir: Path) -> None:
    files = len(report.files)
    click.echo(
        f"{files} file{'s' if files != 1 else ''}: {report.count('added')} added, "
        f"{report.count('updated')} updated, {report.count('unchanged')} unchanged, "
        f"{report.count('failed')} failed"
        + (f", {report.count('removed')} removed (gone from the folder)"
           if report.count("removed") else "")
        + f". Papers: {report.papers_added} added, "
        f"{report.papers_updated} updated, {report.papers_removed} removed.")
    if not files:
        click.echo("Nothing to index: no digest files found.", err=True)
    click.echo(f"Index {index_dir}: {papers} papers.")


# -- query -------------------------------------------------------------------------------

_DATE = click.DateTime(formats=["%Y-%m-%d"])


# A query may start with "-" (an exclusion): unknown options are words, and the command has
# no one-letter options, which click would find inside such a word ("-music" holds "-m").
@main.command("query", context_settings={"ignore_unknown_options": True})
@click.argument("text", nargs=-1, required=True)
@_index_option
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=None,
              help="Skip this many hits (the next page starts where the last ended).")
@click.option("--page", type=click.IntRange(1), default=None,
              help="Page N of --limit hits (the same as --offset (N-1)*limit).")
@click.option("--sort", type=click.Choice(SORT_ORDERS), default="relevance",
              show_default=True)
@click.option("--since", type=_DATE, help="Listed on or after YYYY-MM-DD.")
@click.option("--until", type=_DATE, help="Listed on or before YYYY-MM-DD.")
@click.option("--min-votes", type=click.IntRange(0), help="At least this many votes.")
@click.option("--max-votes", type=click.IntRange(0), help="At most this many votes.")
@click.option("--author", help="Only papers with an author of exactly this name (any case).")
@click.option("--vote-weight", type=click.FloatRange(0, 10), default=None,
              help=f"Weight of votes in ranking (default {DEFAULT_VOTE_WEIGHT}).")
@click.option("--explain", is_flag=True,
              help="Show how each hit's score was made: terms, fields, translations, votes.")
@click.option("--no-correct", "no_correct", is_flag=True,
              help="Search the query as typed even when it finds nothing and a correction "
                   "would.")
@click.option("--facets", "show_facets", is_flag=True,
              help="Also show how the matches spread over months, authors and votes "
                   "(always in --json).")
@_json_option
@click.pass_context
def query_cmd(ctx: click.Context, text: tuple[str, ...], index_dir: Path, limit: int,
              offset: int | None, page: int | None, sort: str,
              since: dt.datetime | None, until: dt.datetime | None, min_votes: int | None,
              max_votes: int | None, author: str | None, vote_weight: float | None,
              explain: bool, no_correct: bool, show_facets: bool, as_json: bool) -> None:
    """Search the index for TEXT (Korean, English, authors; "phrases", OR, -word, title:...)."""
    query = " ".join(text)
    if offset is not None and page is not None:
        raise click.UsageError("give --offset or --page, not both")
    with _errors(_debug(ctx)), _open(ctx, index_dir) as index:
        options = SearchOptions(
            limit=limit, sort=sort,  # type: ignore[arg-type]
            offset=offset if offset is not None else ((page or 1) - 1) * limit,
            since=since.date() if since else None, until=until.date() if until else None,
            min_votes=min_votes, max_votes=max_votes, author=author, vote_weight=vote_weight,
            explain=explain, facets=as_json or show_facets, correct=not no_correct)
        result = index.search(query, options)
    if as_json:
        _echo_json(search_json(result))
    else:
        _print_result(result)
        if result.facets is not None and result.total:
            _print_facets(result.facets)


def search_json(result: SearchResult) -> dict[str, Any]:
    """The ``--json`` shape of a search: query, total, hits (and how the query was read)."""
    return {
        "query": result.query,
        "total": result.total,
        "offset": result.offset,
        "next_offset": result.next_offset,
        "relaxed": result.relaxed,
        "partial": result.partial,
        "ignored_terms": result.ignored_terms,
        "notes": result.notes,
        "did_you_mean": result.did_you_mean,
        "corrected_from": result.corrected_from,
        "hits": hits_json(result.hits),
        **({"facets": result.facets.model_dump(mode="json")}
           if result.facets is not None else {}),
    }


def hits_json(hits: list[Hit]) -> list[dict[str, Any]]:
    """Hits as ``--json`` prints them (scores rounded, highlights as [start, end] pairs)."""
    return [
        {
            "arxiv_id": h.arxiv_id, "title": h.title, "url": h.url, "votes": h.votes,
            "dates": [d.isoformat() for d in h.dates], "authors": h.authors,
            "score": round(h.score, 4), "text_score": round(h.text_score, 4),
            "vote_factor": round(h.vote_factor, 4), "snippet": h.snippet,
            "snippet_highlights": [list(s) for s in h.snippet_highlights],
            "title_highlights": [list(s) for s in h.title_highlights],
            "partial": h.partial,
            **({"explanation": h.explanation.model_dump(mode="json")}
               if h.explanation is not None else {}),
        }
        for h in hits
    ]


def _highlighted(text: str, spans: list[tuple[int, int]], **style: Any) -> str:
    out, cursor = [], 0
    for start, end in spans:
        out.append(click.style(text[cursor:start], **style) if style else text[cursor:start])
        out.append(click.style(text[start:end], fg="yellow", bold=True, underline=True))
        cursor = end
    out.append(click.style(text[cursor:], **style) if style else text[cursor:])
    return "".join(out)


def _authors_line(authors: list[str], shown: int = 4) -> str:
    if len(authors) <= shown:
        return ", ".join(authors)
    return ", ".join(authors[:shown]) + f", … (+{len(authors) - shown})"


def _print_hit(rank: int, hit: Hit, colour: bool) -> None:
    if colour:
        title = _highlighted(hit.title, hit.title_highlights, bold=True)
        snippet = _highlighted(hit.snippet, hit.snippet_highlights)
    else:
        title = mark(hit.title, hit.title_highlights)
        snippet = mark(hit.snippet, hit.snippet_highlights)
    votes = "? votes" if hit.votes is None else f"{hit.votes} votes"
    dates = ", ".join(d.isoformat() for d in hit.dates)
    click.echo(f"{rank:2d}. {title}")
    meta = f"{hit.arxiv_id} · {dates} · {votes} · score {hit.score:.2f}"
    click.echo("    " + (click.style(meta, dim=True) if colour else meta))
    if hit.authors:
        click.echo(f"    {_authors_line(hit.authors)}")
    if snippet:
        click.echo(f"    {snippet}")
    if hit.explanation is not None:
        for line in explanation_lines(hit.explanation):
            click.echo("    " + (click.style(line, dim=True) if colour else line))
    click.echo("")


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (Hangul takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def explanation_lines(e: Explanation) -> list[str]:
    """``--explain``: the score as a sum of terms per field, then coordination and votes."""
    fields = " + ".join(f"{name} {score:.2f}" for name, score in e.fields.items()) or "0"
    lines = [f"text {e.text_score:.2f} = {fields}"
             + (f" × coordination {e.coordination:.2f} ({e.matched_clauses} of {e.clauses} "
                "words)" if e.clauses else "")]
    for term in sorted(e.terms, key=lambda t: -t.score):
        origin = (f"  (spelling of {term.translation_of}, via {term.via})" if term.via
                  else f"  (translation of {term.translation_of})" if term.translation_of
                  else "  (optional)" if term.optional else "")
        lines.append(f"  {term.field:<8} {_pad(term.text, 24)} {term.score:6.2f}{origin}")
    if e.vote_weight <= 0:
        votes = "votes off"
    else:
        votes = (f"unknown votes, counted as {UNKNOWN_VOTES}" if e.votes is None
                 else f"{e.votes} votes") + f", weight {e.vote_weight:.2f}"
    lines.append(f"× vote factor {e.vote_factor:.3f} ({votes}) = {e.score:.2f}")
    return lines


def _print_result(result: SearchResult) -> None:
    colour = sys.stdout.isatty()
    for note in result.notes:
        click.echo(f"({note})", err=True)
    if result.ignored_terms:
        click.echo(f"(not found anywhere, ignored: {', '.join(result.ignored_terms)})", err=True)
    if result.relaxed:
        click.echo("(no paper has every word; showing papers that match some)", err=True)
    if result.corrected_from is not None:
        click.echo(f"Showing results for: {result.query}  (no papers for "
                   f"{result.corrected_from!r}; search it as typed with --no-correct)")
    if result.did_you_mean:
        click.echo(f"Did you mean: {result.did_you_mean}")
    if not result.hits:
        click.echo(f"No papers found for {result.query!r}." if not result.offset else
                   f"No papers after the first {result.offset} for {result.query!r}.")
        return
    tiered = not result.relaxed and any(h.partial for h in result.hits) and all(
        a.partial <= b.partial for a, b in zip(result.hits, result.hits[1:], strict=False))
    for i, hit in enumerate(result.hits):
        if tiered and hit.partial and (i == 0 or not result.hits[i - 1].partial):
            click.echo("-- papers below match only part of the query --\n")
        _print_hit(result.offset + i + 1, hit, colour)
    whole = sum(not h.partial for h in result.hits)
    shown = (f"{len(result.hits)}" if not result.offset
             else f"{result.offset + 1}-{result.offset + len(result.hits)}")
    if result.partial and not result.relaxed:
        click.echo(f"{shown} shown: {whole} of {result.total} papers matching the "
                   f"whole query, {len(result.hits) - whole} of {result.partial} matching part "
                   "of it.")
    else:
        click.echo(f"{shown} of {result.total} papers.")
    if result.next_offset is not None:
        click.echo(f"More: --offset {result.next_offset}")


def _print_facets(facets: Facets, shown: int = 8) -> None:
    def line(name: str, counts: list[FacetCount]) -> None:
        if counts:
            click.echo(f"{name:<8} " + ", ".join(f"{c.value} ({c.count})" for c in counts[:shown]))

    line("Months:", facets.months)
    line("Authors:", facets.authors)
    line("Votes:", [c for c in facets.votes if c.count])


# -- similar, suggest -------------------------------------------------------------------

@main.command("similar")
@click.argument("arxiv_id")
@_index_option
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--by", type=click.Choice(["text", "title"]), default="text", show_default=True,
              help="Find neighbours by the paper's title and summary, or its title only.")
@_json_option
@click.pass_context
def similar_cmd(ctx: click.Context, arxiv_id: str, index_dir: Path, limit: int, by: str,
                as_json: bool) -> None:
    """Show the papers most like the paper ARXIV_ID."""
    with _errors(_debug(ctx)), _open(ctx, index_dir) as index:
        result = index.similar(arxiv_id, limit, by=by)  # type: ignore[arg-type]
    if as_json:
        _echo_json({"arxiv_id": result.arxiv_id, "title": result.title, "terms": result.terms,
                    "hits": hits_json(result.hits)})
        return
    click.echo(f"Papers like {result.arxiv_id}: {result.title}\n")
    colour = sys.stdout.isatty()
    for rank, hit in enumerate(result.hits, start=1):
        _print_hit(rank, hit, colour)


@main.command("suggest")
@click.argument("prefix", nargs=-1, required=True)
@_index_option
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@_json_option
@click.pass_context
def suggest_cmd(ctx: click.Context, prefix: tuple[str, ...], index_dir: Path, limit: int,
                as_json: bool) -> None:
    """Complete the last word of PREFIX from the index's words, most used first."""
    with _errors(_debug(ctx)), _open(ctx, index_dir) as index:
        suggestions = index.suggest(" ".join(prefix), limit)
    if as_json:
        _echo_json([s.model_dump() for s in suggestions])
        return
    for suggestion in suggestions:
        click.echo(f"{suggestion.text}\t{suggestion.papers}")


# -- serve -------------------------------------------------------------------------------

@main.command("serve")
@_index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes, each with the index opened read-only.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this Host name (loopback names and --host "
                   "are always allowed; '*' allows any).")
@click.pass_context
def serve_cmd(ctx: click.Context, index_dir: Path, host: str, port: int, workers: int,
              allow_hosts: tuple[str, ...]) -> None:
    """Serve the index: a web page at / and a JSON API under /api (see /openapi.json)."""
    with _errors(_debug(ctx)):
        try:
            from papersearch.server import serve
        except ImportError as exc:
            raise PapersearchError(f"serve needs the serve extra ({exc.name} is missing): "
                                   "pip install 'papersearch[serve]'") from exc
        with _open(ctx, index_dir) as index:
            papers = index.stats().papers
        click.echo(f"Serving {index_dir} ({papers} papers) at http://{host}:{port}/ "
                   f"({workers} process{'es' if workers > 1 else ''}; Ctrl+C to stop)",
                   err=True)
        serve(index_dir, host, port, workers=workers, extra_hosts=allow_hosts,
              trust=_trust(ctx))


@main.command("mcp")
@_index_option
@click.pass_context
def mcp_cmd(ctx: click.Context, index_dir: Path) -> None:
    """Serve the index to an LLM assistant: an MCP server on stdin/stdout (tools: search,
    show_paper, similar_papers, suggest_words)."""
    with _errors(_debug(ctx)):
        try:
            from papersearch.mcpserver import run_stdio
        except ImportError as exc:
            raise PapersearchError(f"mcp needs the mcp extra ({exc.name} is missing): "
                                   "pip install 'papersearch[mcp]'") from exc
        run_stdio(index_dir, trust=_trust(ctx))


# -- show, stats -------------------------------------------------------------------------------

@main.command("show")
@click.argument("arxiv_id")
@_index_option
@_json_option
@click.pass_context
def show_cmd(ctx: click.Context, arxiv_id: str, index_dir: Path, as_json: bool) -> None:
    """Show one paper by its arXiv id."""
    with _errors(_debug(ctx)), _open(ctx, index_dir) as index:
        paper = index.paper(arxiv_id)
    if as_json:
        _echo_json(paper.model_dump(mode="json"))
    else:
        _print_paper(paper)


def _print_paper(paper: Paper) -> None:
    click.echo(click.style(paper.title, bold=True))
    click.echo(paper.url)
    votes = "unknown" if paper.votes is None else str(paper.votes)
    click.echo(f"Listed: {', '.join(d.isoformat() for d in paper.dates)}    Votes: {votes}")
    if paper.authors:
        click.echo(f"Authors: {', '.join(paper.authors)}")
    if paper.other_titles:
        click.echo(f"Also listed as: {'; '.join(paper.other_titles)}")
    media = paper.video_url or paper.image_url
    if media:
        click.echo(f"Media: {media}")
    click.echo("")
    for bullet in paper.bullets:
        indent = "    " if bullet.level else ""
        click.echo(f"{indent}- {bullet_line(bullet)}")


@main.command("stats")
@_index_option
@_json_option
@click.pass_context
def stats_cmd(ctx: click.Context, index_dir: Path, as_json: bool) -> None:
    """Show how many papers and days the index holds."""
    with _errors(_debug(ctx)), _open(ctx, index_dir) as index:
        stats = index.stats()
    if as_json:
        _echo_json(stats.model_dump(mode="json"))
        return
    click.echo(f"Index:   {stats.path}")
    click.echo(f"Papers:  {stats.papers}")
    click.echo(f"Days:    {stats.days}" + (f" ({stats.first_date} .. {stats.last_date})"
                                            if stats.days else ""))
    click.echo(f"Size:    {stats.size_bytes / 1e6:.1f} MB")
    click.echo(f"Built by papersearch {stats.papersearch_version} (schema {stats.schema_version})")


def entry() -> None:
    """The ``papersearch`` console script: the CLI, in a process that ends with it.

    ``gc.freeze()`` moves every object there is out of the collector's reach: first
    the modules just imported, so the collections a search's allocations trigger do
    not walk them again and again, and before exiting everything, so the
    interpreter's last collection pass does not walk them all (about 35 ms of a
    330 ms cold query). Only here: an application that calls :func:`main` in-process
    keeps its collector as it was.
    """
    gc.freeze()
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    entry()
