"""train-stance end to end on a tiny made-up data folder: trains, checkpoints, resumes, exports, loads,
averages."""
from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import torch
from click.testing import CliRunner
from safetensors.torch import load_file

from training.cli import main
from qa.stance import MODEL_DIR, StanceModel
from training.data import covid_rows, news_discuss_rows
from training.train import TrainConfig, average_and_export, train

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
    done = torch.load(tmp_path / "work" / "checkpoint.pt", weights_only=False)["state"]["elapsed"]
    config.budget_minutes = done / 60 + 0.05  # a second call resumes from the checkpoint instead of starting over
    second = train(config)
    assert second["steps"] > first["steps"]
    assert {"temperature", "ece_before", "ece_after"} <= set(second)
    [scores] = StanceModel(tmp_path / "model").judge("The ministry lifted the ban.", ["The ministry kept the ban."])
    assert abs(scores.supports + scores.refutes + scores.neutral - 1) < 1e-5


def test_average_of_two_exports_is_the_mean_of_their_weights(tmp_path: Path) -> None:
    write_data(tmp_path / "nli")
    exports = []
    for seed in (1, 2):
        exports.append(tmp_path / f"model-{seed}")
        train(TrainConfig(data_dir=tmp_path / "nli", out_dir=exports[-1], work_dir=tmp_path / f"work-{seed}",
                          budget_minutes=0.02, batch_size=8, seed=seed))
    report = average_and_export(exports, TrainConfig(data_dir=tmp_path / "nli", out_dir=tmp_path / "soup"))
    assert report["averaged"] == [str(p) for p in exports] and report["temperature"] > 0
    heads = [load_file(path / "model.safetensors")["classifier.weight"].float() for path in (*exports, tmp_path / "soup")]
    assert not torch.equal(heads[0], heads[1])
    assert torch.allclose(heads[2], (heads[0] + heads[1]) / 2, atol=1e-3)


def test_covid_claim_sets_become_nli_rows(tmp_path: Path) -> None:
    (tmp_path / "covidfact").mkdir()
    (tmp_path / "covidfact" / "COVIDFACT_dataset.jsonl").write_text(json.dumps(
        {"claim": "Masks cut spread ", "label": "REFUTED", "evidence": ["Masks reduce spread.", "By half."]}) + "\n")
    (tmp_path / "check-covid").mkdir()
    (tmp_path / "check-covid" / "corpus.json").write_text(json.dumps(
        {"cord_id": "c1", "title": "T", "abstract": ["First.", "Second finding."]}) + "\n")
    (tmp_path / "check-covid" / "covidCheck_train_composed+extracted.json").write_text(json.dumps(
        {"claim": "A claim.", "cord_id": "c1", "label": "SUPPORT", "evidence_set": [{"sent_index": 1}]}) + "\n")
    assert covid_rows(tmp_path) == [
        {"premise": "Masks reduce spread. By half.", "hypothesis": "Masks cut spread", "label": "contradiction",
         "source": "covidfact/all"},
        {"premise": "Second finding.", "hypothesis": "A claim.", "label": "entailment", "source": "check-covid/train"},
        {"premise": "First.", "hypothesis": "A claim.", "label": "neutral", "source": "check-covid-context/train"}]
    assert covid_rows(tmp_path / "missing") == []


def test_discuss_articles_give_their_on_topic_sentences_as_neutral_rows() -> None:
    body = ("Putin said he discussed safe zones with Trump. The weather in Sochi was mild. "
            "Trump has not commented on safe zones in Syria.")
    rows = [{"premise": body, "hypothesis": "Trump agrees to safe zones in Syria", "label": "neutral",
             "source": "fnc1-train/train"},
            {"premise": body, "hypothesis": "Trump agrees to safe zones in Syria", "label": "contradiction",
             "source": "fnc1-train/train"},
            {"premise": body, "hypothesis": "Trump agrees to safe zones in Syria", "label": "neutral",
             "source": "fnc1-train/competition_test"}]
    out = news_discuss_rows(rows, random.Random(0))
    assert sorted(r["premise"] for r in out) == ["Putin said he discussed safe zones with Trump.",
                                                 "Trump has not commented on safe zones in Syria."]
    assert {(r["label"], r["source"]) for r in out} == {("neutral", "news-discuss-sentences/train")}


def test_average_stance_rejects_a_single_model_and_non_exports(tmp_path: Path) -> None:
    write_data(tmp_path / "nli")
    (tmp_path / "empty").mkdir()
    runner = CliRunner()
    alone = runner.invoke(main, ["average-stance", str(MODEL_DIR), "--data", str(tmp_path / "nli")])
    assert alone.exit_code == 2 and "at least two" in alone.output
    wrong = runner.invoke(main, ["average-stance", str(MODEL_DIR), str(tmp_path / "empty"),
                                 "--data", str(tmp_path / "nli"), "--out", str(tmp_path / "soup")])
    assert wrong.exit_code == 2 and "no model.safetensors" in wrong.output
    assert not (tmp_path / "soup").exists()
