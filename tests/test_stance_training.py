"""train-stance end to end on a tiny made-up data folder: trains, checkpoints, resumes, exports, loads."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from qa.stance import StanceModel
from qa.stance_train import TrainConfig, train

ROWS = [
    ("A man is playing a guitar on stage.", "A man is playing music.", "entailment"),
    ("A man is playing a guitar on stage.", "The man is asleep at home.", "contradiction"),
    ("A man is playing a guitar on stage.", "The man is a famous singer.", "neutral"),
    ("The ministry kept the ban on imports.", "The ministry kept the ban.", "entailment"),
    ("The ministry kept the ban on imports.", "The ministry lifted the ban.", "contradiction"),
    ("The ministry kept the ban on imports.", "The ban was debated for hours.", "neutral"),
]


def write_data(folder: Path) -> None:
    folder.mkdir()
    for name, split in (("pairs.jsonl.gz", "toy/train"), ("extra.jsonl.gz", "toy/extra")):
        with gzip.open(folder / name, "wt", encoding="utf-8") as handle:
            for n in range(20):
                premise, hypothesis, label = ROWS[n % len(ROWS)]
                handle.write(json.dumps({"premise": f"{premise} ({n})", "hypothesis": hypothesis,
                                         "label": label, "source": split}) + "\n")


def test_train_resume_export_and_load(tmp_path: Path) -> None:
    write_data(tmp_path / "nli")
    config = TrainConfig(data_dir=tmp_path / "nli", out_dir=tmp_path / "model", work_dir=tmp_path / "work",
                         budget_minutes=0.05, batch_size=8, checkpoint_every=2)
    first = train(config)
    assert (tmp_path / "work" / "checkpoint.pt").exists() and first["steps"] > 0
    config.budget_minutes = 0.1  # a second call resumes from the checkpoint instead of starting over
    second = train(config)
    assert second["steps"] > first["steps"]
    assert {"temperature", "ece_before", "ece_after"} <= set(second)
    [scores] = StanceModel(tmp_path / "model").judge("The ministry lifted the ban.", ["The ministry kept the ban."])
    assert abs(scores.supports + scores.refutes + scores.neutral - 1) < 1e-5
