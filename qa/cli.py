"""The `factcheck` command line: serve, ingest, ask, judge, mcp, train-stance, average-stance."""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import click

from qa.errors import FactCheckError
from qa.settings import Settings
from qa.stance import MODEL_DIR

data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                               help="Where the index lives (default: $FACTCHECK_DATA_DIR or ./data).")
stance_out_option = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                                 default=MODEL_DIR, show_default=True)


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
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="Embed on Ray Data: a local Ray, or the cluster at ADDRESS (auto, ray://host:10001, host:6379). "
                   "Put PATHs first or write --ray=ADDRESS. Needs the scale extra.")
@click.option("--ray-actors", type=click.IntRange(min=1), default=1, show_default=True,
              help="Encoder actors on Ray (each holds one model and uses the configured threads).")
def ingest(paths: tuple[Path, ...], data_dir: Path | None, ray_address: str | None, ray_actors: int) -> None:
    """Add .txt .md .html .jsonl files or folders of them to the index."""
    from tqdm import tqdm

    from qa.readers import expand_paths

    checker = _checker(data_dir)
    if ray_address is not None:
        _ingest_on_ray(checker, list(paths), ray_address, ray_actors)
        return
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
    _report(added, skipped, failed)


def _report(added: int, skipped: int, failed: int) -> None:
    click.echo(f"{added} added, {skipped} already present, {failed} failed")
    if failed:
        sys.exit(1)


def _ingest_on_ray(checker, paths: list[Path], address: str, actors: int) -> None:
    try:
        from qa.ray_ingest import RayOptions, ray_ingest
    except ImportError as exc:
        raise click.ClickException(f"--ray needs Ray: pip install -e '.[scale]' ({exc})") from exc
    try:
        options = RayOptions(address=address, actors=actors, threads=checker.settings.threads)
        outcomes = ray_ingest(checker, paths, options)
    except FactCheckError as exc:
        raise click.ClickException(exc.detail) from exc
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


@main.command("train-stance")
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the labelled pairs: pairs.jsonl.gz and extra.jsonl.gz "
                   "(COVID claim sets are read from its sibling eval/ when present).")
@stance_out_option
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".stance-work"),
              show_default=True, help="Checkpoints; a run resumes from here.")
@click.option("--budget-minutes", type=float, default=88.0, show_default=True)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--init-from", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Continue training from this exported model instead of the base encoder.")
@click.option("--peak-lr", type=float, default=8e-5, show_default=True)
def train_stance(data_dir: Path, out_dir: Path, work_dir: Path, budget_minutes: float, seed: int,
                 init_from: Path | None, peak_lr: float) -> None:
    """Fine-tune the stance cross-encoder (about an hour on 2 CPU cores)."""
    from qa.stance_train import TrainConfig, train

    train(TrainConfig(data_dir=data_dir, out_dir=out_dir, work_dir=work_dir, budget_minutes=budget_minutes,
                      seed=seed, init_from=init_from, peak_lr=peak_lr))


@main.command("average-stance")
@click.argument("models", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The labelled pairs folder, for the calibration slice.")
@stance_out_option
@click.option("--seed", type=int, default=13, show_default=True, help="Picks the calibration slice.")
def average_stance(models: tuple[Path, ...], data_dir: Path, out_dir: Path, seed: int) -> None:
    """Average the weights of exported stance models of one lineage and recalibrate."""
    if len(models) < 2:
        raise click.UsageError("give at least two exported models to average")
    for model in models:
        if not (model / "model.safetensors").exists():
            raise click.BadParameter(f"{model} holds no model.safetensors (not an exported stance model)",
                                     param_hint="MODELS")
    from qa.stance_train import TrainConfig, average_and_export

    average_and_export(list(models), TrainConfig(data_dir=data_dir, out_dir=out_dir, seed=seed))


if __name__ == "__main__":
    main()
