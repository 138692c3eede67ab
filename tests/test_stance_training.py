"""train-stance end to end on a tiny made-up data folder: trains, checkpoints, resumes, exports, loads,
averages."""
from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from safetensors.torch import load_file

from training.cli import main
from qa.stance import MODEL_DIR, StanceModel
from training.data import (Pair, bias_weights, covid_rows, news_discuss_rows, news_unrelated_rows,
                           random_unrelated_rows)
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
    assert covid_rows(tmp_path, random.Random(0)) == [  # one abstract: no other abstract to draw unrelated rows from
        {"premise": "Masks reduce spread. By half.", "hypothesis": "Masks cut spread", "label": "contradiction",
         "source": "covidfact/all"},
        {"premise": "Second finding.", "hypothesis": "A claim.", "label": "entailment", "source": "check-covid/train"},
        {"premise": "First.", "hypothesis": "A claim.", "label": "neutral", "source": "check-covid-context/train"}]
    assert covid_rows(tmp_path / "missing", random.Random(0)) == []


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


def test_unrelated_premises_become_neutral_rows() -> None:
    rng = random.Random(0)
    rows = [{"premise": f"The council of town {n} voted on a budget for {n} new buses.", "hypothesis":
             f"Team {n} won the cup final.", "label": "entailment", "source": "toy/train"} for n in range(300)]
    unrelated = random_unrelated_rows(rows, rng)
    assert len(unrelated) == 60  # UNRELATED_SHARE of the source
    for row in unrelated:
        assert row["label"] == "neutral" and row["source"] == "unrelated/toy/train"
        assert row["hypothesis"].split()[1] != row["premise"].split()[4]  # another row's premise
    assert random_unrelated_rows(rows[:10], rng) == []  # too small a source to draw from


def test_news_headlines_meet_bodies_of_other_stories() -> None:
    rows = [{"premise": "Apple unveiled a new phone with a bigger screen on Tuesday in California.",
             "hypothesis": "Apple unveils bigger phone", "label": "entailment", "source": "fnc1-train/train"},
            {"premise": "Apple unveiled a new phone with a bigger screen on Tuesday in California.",
             "hypothesis": "Apple phone screen grows", "label": "neutral", "source": "fnc1-train/train"},
            {"premise": "Rebels seized the northern city after heavy fighting, officials said.",
             "hypothesis": "Rebels take northern city", "label": "entailment", "source": "fnc1-train/train"}]
    unrelated = news_unrelated_rows(rows, random.Random(0))
    assert {(r["hypothesis"], r["premise"][:5]) for r in unrelated} == {
        ("Apple unveils bigger phone", "Rebel"), ("Apple phone screen grows", "Rebel"),
        ("Rebels take northern city", "Apple")}
    assert all(r["label"] == "neutral" for r in unrelated)


def test_claim_only_cues_lower_a_pairs_weight() -> None:
    cue = [Pair(f"premise {n}", f"Nobody ever denied story {n}.", 1, "toy") for n in range(200)]
    plain = [Pair(f"premise {n}", f"The mayor opened bridge {n}.", n % 3, "toy") for n in range(600)]
    weighted = bias_weights(cue + plain)
    cue_weight = np.mean([p.weight for p in weighted[:200]])
    plain_weight = np.mean([p.weight for p in weighted[200:]])
    assert cue_weight < plain_weight and np.mean([p.weight for p in weighted]) == pytest.approx(1.0)
