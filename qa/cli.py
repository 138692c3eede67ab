"""The `factcheck` command line: serve, ingest, ask, judge, mcp."""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import click

from qa.errors import FactCheckError
from qa.settings import Settings

data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                               help="Where the index lives (default: $FACTCHECK_DATA_DIR or ./data).")


def _checker(data_dir: Path | None):
    from qa.service import FactChecker

    try:
        return FactChecker(Settings.from_env(data_dir=data_dir))
    except FactCheckError as exc:
        raise click.ClickException(exc.detail) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="factcheck")
def main() -> None:
    """Offline fact-check question answering over your documents."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@data_dir_option
def serve(host: str, port: int, data_dir: Path | None) -> None:
    """Serve the HTTP API, the search form and MCP (indexes seeds/ on first run)."""
    from werkzeug.serving import run_simple

    from api import create_app

    app = create_app(Settings.from_env(data_dir=data_dir))
    checker = app.extensions["factcheck"]
    seeded = checker.index_seeds_if_empty()
    if seeded:
        click.echo(f"indexed {sum(o.created for o in seeded)} seed documents into {checker.settings.data_dir}")
    checker.warm_up()
    click.echo(f"factcheck serving on http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@data_dir_option
def ingest(paths: tuple[Path, ...], data_dir: Path | None) -> None:
    """Add .txt .md .html .jsonl files or folders of them to the index."""
    from tqdm import tqdm

    from qa.readers import expand_paths

    checker = _checker(data_dir)
    try:
        files = expand_paths(list(paths))
    except FactCheckError as exc:
        raise click.ClickException(exc.detail) from exc
    added = skipped = failed = 0
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
    click.echo(f"{added} added, {skipped} already present, {failed} failed")
    if failed:
        sys.exit(1)


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the /v1/check JSON response.")
@click.option("--top-k", type=int, default=None, help="Passages per side (default 5).")
@data_dir_option
def ask(question: str, as_json: bool, top_k: int | None, data_dir: Path | None) -> None:
    """Check a question or statement against the indexed documents."""
    checker = _checker(data_dir)
    try:
        result = checker.check(question, top_k).to_dict()
    except FactCheckError as exc:
        raise click.ClickException(exc.detail) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result['verdict'].replace('_', ' ').upper()} (confidence {result['confidence']:.2f})")
    click.echo(f"claim: {result['claim']}")
    click.echo(textwrap.fill(result["answer"], 100))
    number = 0
    for side in ("supporting", "conflicting", "related"):
        if result[side]:
            click.echo(f"\n{side.capitalize()}:")
        for passage in result[side]:
            number += 1
            src = passage["source"]
            origin = ", ".join(x for x in (src["title"], src["publisher"], src["date"]) if x)
            click.echo(f"  [{number}] {passage['stance_scores'][passage['stance']]:.2f} {passage['text']}")
            click.echo(f"      — {origin}" + (f" (also in {len(passage['also_in'])} more)" if passage["also_in"] else ""))


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


@main.command()
@data_dir_option
def mcp(data_dir: Path | None) -> None:
    """The Model Context Protocol server over stdio."""
    from api.mcp_server import run_stdio

    run_stdio(Settings.from_env(data_dir=data_dir))


if __name__ == "__main__":
    main()
