"""`python -m training`: train, continue and average the stance model (reads ../shared/data)."""
from __future__ import annotations

from pathlib import Path

import click

from qa.stance import MODEL_DIR

stance_out_option = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                                 default=MODEL_DIR, show_default=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Train the stance cross-encoder that factcheck ships."""


@main.command("train-stance")
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the labelled pairs: pairs, extra and more .jsonl.gz "
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
    from training.train import TrainConfig, train

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
    from training.train import TrainConfig, average_and_export

    average_and_export(list(models), TrainConfig(data_dir=data_dir, out_dir=out_dir, seed=seed))
