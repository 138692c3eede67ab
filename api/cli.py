"""The `factcheck` command line: serve, ingest, ask, check-text, judge, mcp."""
from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from embeddings.errors import ServiceError
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.service import FactChecker

data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                               help="Where the index lives (default: $FACTCHECK_DATA_DIR or ./data).")


@contextmanager
def _opened_checker(data_dir: Path | None) -> Iterator[FactChecker]:
    """An opened FactChecker, closed at the end; its errors become one-line CLI errors."""
    from qa.service import FactChecker

    checker = FactChecker(_settings(data_dir))
    try:
        yield checker.open()
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from exc
    finally:
        checker.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="factcheck")
def main() -> None:
    """Offline fact-check question answering over your documents."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the models load from local folders; never ask a hub


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes (each loads its own models, ~0.6 GB). [default: setting workers, 1]")
@click.option("--server", type=click.Choice(["gunicorn", "waitress"]), default="gunicorn", show_default=True,
              help="The WSGI server (waitress runs one process: --workers must be 1).")
@click.option("--insecure", is_flag=True, help="Allow a non-loopback --host without FACTCHECK_API_KEY.")
@data_dir_option
def serve(host: str, port: int, workers: int | None, server: str, insecure: bool, data_dir: Path | None) -> None:
    """Serve the HTTP API, the search form and MCP (indexes seeds/ on first run)."""
    from api.guard import is_loopback
    from api.server import run, seed_in_child
    from embeddings.store import open_store

    settings = _settings(data_dir)
    workers = workers or settings.workers
    if not is_loopback(host) and not settings.api_key and not insecure:
        raise click.UsageError(f"refusing to listen on {host} without a key for writes: set FACTCHECK_API_KEY "
                               "(or pass --insecure to let anyone who can reach it add and delete documents)")
    if server == "waitress" and workers != 1:
        raise click.UsageError("waitress runs one process: use --server gunicorn for --workers > 1")
    try:
        store = open_store(settings.store_url, settings.data_dir)
        empty = store.document_count() == 0
        store.close()
    except ServiceError as exc:  # a store server that cannot be reached or refuses the login
        raise click.ClickException(exc.detail) from exc
    if empty and settings.seeds_dir.is_dir():
        click.echo(f"indexed {seed_in_child(settings)} seed documents into {settings.data_dir}")
    click.echo(f"factcheck serving on http://{host}:{port}/ with {server}, {workers} worker(s)  (Ctrl+C to stop)")
    run(settings, host, port, workers, server)


def _settings(data_dir: Path | None) -> Settings:
    """The settings, checked."""
    try:
        return Settings.from_env(data_dir=data_dir)
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from exc


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@data_dir_option
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="Embed on Ray Data: a local Ray, or the cluster at ADDRESS (auto, ray://host:10001, host:6379). "
                   "Put PATHs first or write --ray=ADDRESS. Needs the scale extra.")
@click.option("--ray-actors", type=click.IntRange(min=1), default=1, show_default=True,
              help="Encoder actors on Ray (each holds one model and uses the configured threads).")
def ingest(paths: tuple[Path, ...], data_dir: Path | None, ray_address: str | None, ray_actors: int) -> None:
    """Add .txt .md .html .jsonl files or folders of them to the index."""
    from tqdm import tqdm

    from qa.readers import expand_paths

    try:
        files = expand_paths(list(paths))
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from exc
    with _opened_checker(data_dir) as checker:
        if ray_address is not None:
            _ingest_on_ray(checker, list(paths), ray_address, ray_actors)
            return
        added = skipped = failed = 0
        try:
            with checker.bulk():
                for path in tqdm(files, desc="ingest", unit="file", disable=None):
                    for outcome in checker.ingest_file(path):
                        if outcome.error:
                            failed += 1
                            tqdm.write(f"error: {outcome.error}", file=sys.stderr)
                        elif outcome.created:
                            added += 1
                        else:
                            skipped += 1
        except ServiceError as exc:  # the store or the vector backend failed: stop, saying what is stored
            _report(added, skipped, failed, exit_now=False)
            raise click.ClickException(f"{exc.detail}; what was reported added is stored") from exc
    _report(added, skipped, failed)


def _report(added: int, skipped: int, failed: int, exit_now: bool = True) -> None:
    click.echo(f"{added} added, {skipped} already present, {failed} failed")
    if failed and exit_now:
        sys.exit(1)


def _ingest_on_ray(checker: FactChecker, paths: list[Path], address: str, actors: int) -> None:
    try:
        from qa.ray_ingest import RayOptions, ray_ingest
    except ImportError as exc:
        raise click.ClickException(f"--ray needs Ray: pip install -e '.[scale]' ({exc})") from exc
    try:
        options = RayOptions(address=address, actors=actors, threads=checker.settings.threads)
        outcomes = ray_ingest(checker, paths, options)
    except ConnectionError as exc:
        raise click.ClickException(f"cannot reach Ray at {address}: {exc}") from exc
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"error: {outcome.error}", err=True)
    _report(sum(o.created for o in outcomes), sum(not o.created and not o.error for o in outcomes),
            sum(bool(o.error) for o in outcomes))


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the /v1/check JSON response.")
@click.option("--top-k", type=int, default=None, help="Passages per side (default 5).")
@data_dir_option
def ask(question: str, as_json: bool, top_k: int | None, data_dir: Path | None) -> None:
    """Check a question or statement against the indexed documents."""
    from qa.answer import cited

    with _opened_checker(data_dir) as checker:
        result = checker.check(question, top_k).to_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result['verdict'].replace('_', ' ').upper()} (confidence {result['confidence']:.2f})")
    click.echo(f"claim: {result['claim']}")
    click.echo(textwrap.fill(result["answer"], 100))
    heading = None
    for number, side, passage in cited(result):
        if side != heading:
            click.echo(f"\n{side.capitalize()}:")
            heading = side
        src = passage["source"]
        origin = ", ".join(x for x in (src["title"], src["publisher"], src["date"]) if x)
        click.echo(f"  [{number}] {passage['stance_scores'][passage['stance']]:.2f} {passage['text']}")
        copies = f" (also in {len(passage['also_in'])} more)" if passage["also_in"] else ""
        click.echo(f"      — {origin}{copies}")


@main.command("check-text")
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="Print the /v1/check_text JSON response.")
@click.option("--top-k", type=int, default=None, help="Passages per side for each claim (default 5).")
@data_dir_option
def check_text(source, as_json: bool, top_k: int | None, data_dir: Path | None) -> None:
    """Check every claim of a text (a draft, a post, a chatbot's answer); SOURCE is a file or - for stdin."""
    from qa.answer import cited

    text = source.read()
    with _opened_checker(data_dir) as checker, _progress_bar("Judging evidence") as progress:
        result = checker.check_text(text, top_k, progress).to_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    counts = ", ".join(f"{n} {verdict.replace('_', ' ')}" for verdict, n in result["summary"].items() if n)
    click.echo(f"{len(result['claims'])} claims checked" + (f": {counts}" if counts else ""))
    for claim in result["claims"]:
        click.echo(f"\n{claim['verdict'].replace('_', ' ').upper()} ({claim['confidence']:.2f}) "
                   f"chars {claim['start']}-{claim['end']}: {claim['claim']}")
        click.echo(textwrap.indent(textwrap.fill(claim["answer"], 96), "  "))
        for number, side, passage in cited(claim):
            if side != "related":
                click.echo(f"  [{number}] {side}: {passage['source']['title']}")
    if result["skipped"]:
        click.echo("\nNot checked:")
        for item in result["skipped"]:
            click.echo(f"  “{item['text']}”: {item['reason']}")


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on standard error when it is a terminal (None otherwise)."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:
        def update(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield update


@main.command()
@click.option("--jsonl", "jsonl", required=True, type=click.File("r", encoding="utf-8"),
              help='Lines of {"claim": str, "passage": str}; "-" reads standard input.')
def judge(jsonl) -> None:
    """Stance only, no retrieval: one output line per input line."""
    from qa.judge_lines import judge_lines
    from qa.stance import StanceModel

    failures = 0
    for line in judge_lines(jsonl, StanceModel()):
        if "error" in line:
            failures += 1
            click.echo(f"line {line['line']}: {line['error']}", err=True)
        click.echo(json.dumps(line, ensure_ascii=False))
    if failures:
        sys.exit(1)


@main.command("settings")
@data_dir_option
def show_settings(data_dir: Path | None) -> None:
    """Every setting: its environment variable, current value and what it does."""
    for name, value, help_text in _settings(data_dir).described():
        click.echo(f"{name}={value}")
        click.echo(textwrap.indent(textwrap.fill(help_text, 96), "    "))


@main.command()
@data_dir_option
def mcp(data_dir: Path | None) -> None:
    """The Model Context Protocol server over stdio."""
    from api.mcp_server import run_stdio

    run_stdio(_settings(data_dir))


if __name__ == "__main__":
    main()
