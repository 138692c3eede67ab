"""Stance inference: P(supports), P(refutes), P(neutral) for (claim, passage) pairs.

The cross-encoder trained by `python -m training train-stance` ships as package data in qa/models/stance.
It is loaded lazily, once, and scores pairs in batches. How it runs (fp32, bf16 autocast or dynamic
int8, and on how many threads) is measured at load time by embeddings.precision on the CPU at hand: bf16 is
2-3x faster where the CPU has it natively and several times slower where it is emulated. A mode is
eligible only if it keeps every probe pair's label and moves no probability by more than MAX_SHIFT.
Probabilities are temperature-scaled, so they are calibrated and sum to 1.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from embeddings.precision import (
    MODES,
    Choice,
    choose,
    fix_process_threads,
    int8_copy,
    probability_agreement,
    runner,
    thread_counts,
)
from qa.documents import StanceScores
from qa.stance_calibration import softmax
from qa.stance_text import relevant_excerpt

Progress = Callable[[int, int], None]  # (pairs judged so far, pairs in all)
MODEL_DIR = Path(__file__).resolve().parent / "models" / "stance"
LABELS = ("supports", "refutes", "neutral")
MAX_LENGTH = 192
MAX_SHIFT = 0.03  # largest probability change a faster mode may make on the probe pairs
PROBE = [  # claim / passage pairs of the lengths the service judges
    ("Russia lifted its ban on Turkish tomatoes.",
     "Russia will keep in place a ban on imports of Turkish tomatoes, the agriculture minister said on Friday, "
     "despite a broader thaw in relations between Moscow and Ankara."),
    ("The ceasefire in Syria is holding.",
     "Sporadic clashes were reported near Damascus, but monitors said the truce brokered by Russia and Turkey "
     "had largely held through its first week."),
    ("China sent troops to Syria.", "Beijing said it had no plans to deploy soldiers abroad."),
    ("Trump agreed to safe zones.",
     "The president said he would absolutely do safe zones in Syria for the people, a White House official said."),
]


class StanceModel:
    def __init__(self, model_dir: Path = MODEL_DIR, threads: int = 2, batch_size: int = 32,
                 precision: str = "auto") -> None:
        """precision: "auto" (measure mode and thread count at load time) or one of embeddings.precision.MODES."""
        if precision not in ("auto", *MODES):
            raise ValueError(f"precision must be 'auto' or one of {MODES}")
        self.model_dir = model_dir
        self.threads = threads
        self.batch_size = batch_size
        self.precision = precision
        self.choice: Choice | None = None
        self._loaded: tuple | None = None
        self._lock = threading.Lock()

    def _load(self) -> tuple:
        with self._lock:
            if self._loaded is None:
                from transformers import AutoModelForSequenceClassification, AutoTokenizer
                from transformers.utils import logging as hf_logging

                hf_logging.set_verbosity_error()
                hf_logging.disable_progress_bar()

                tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir))
                model = AutoModelForSequenceClassification.from_pretrained(str(self.model_dir)).float().eval()
                calibration = json.loads((self.model_dir / "calibration.json").read_text())
                if tuple(calibration["labels"]) != LABELS:
                    raise RuntimeError(f"stance model labels {calibration['labels']} != {LABELS}")
                temperature = float(calibration["temperature"])
                self._loaded = (tokenizer, self._pick(tokenizer, model, temperature), temperature)
        return self._loaded

    def _pick(self, tokenizer, model, temperature: float):
        """The runner for the forced mode, or for the mode measured fastest within tolerance."""
        quantised = int8_copy(model) if self.precision in ("auto", "int8") else None
        if self.precision == "auto":
            inputs = _tokenize(tokenizer, PROBE)

            def probe(mode: str, threads: int) -> np.ndarray:
                logits = runner(model, mode, threads, quantised)(lambda m: m(**inputs).logits.float().numpy())
                return softmax(logits, temperature)

            self.choice = choose(probe, probability_agreement(MAX_SHIFT), self.threads,
                                 counts=thread_counts(self.threads))
            self.choice.threads = fix_process_threads(self.choice.threads)
        else:
            self.choice = Choice(self.precision, fix_process_threads(self.threads))
        logging.getLogger(__name__).info("stance model runs in %s", self.choice.describe())
        return runner(model, self.choice.mode, quantised=quantised if self.choice.mode == "int8" else None)

    def logits(self, pairs: list[tuple[str, str]], progress: Progress | None = None) -> np.ndarray:
        tokenizer, run, _ = self._load()
        out, done = [], 0
        for batch in _length_sorted_batches(pairs, self.batch_size):
            inputs = _tokenize(tokenizer, [pairs[i] for i in batch])
            out.append((batch, run(lambda m, inputs=inputs: m(**inputs).logits.float().numpy())))
            done += len(batch)
            if progress:
                progress(done, len(pairs))
        logits = np.zeros((len(pairs), len(LABELS)), np.float32)
        for batch, values in out:
            logits[batch] = values
        return logits

    def score_pairs(self, pairs: list[tuple[str, str]], progress: Progress | None = None) -> list[StanceScores]:
        """Calibrated stance of each (claim, passage) pair; `progress(done, total)` after each batch."""
        if not pairs:
            return []
        _, _, temperature = self._load()
        probs = softmax(self.logits(pairs, progress), temperature)
        return [StanceScores(*map(float, row)) for row in probs]

    def judge(self, claim: str, passages: list[str]) -> list[StanceScores]:
        return self.score_pairs([(claim, p) for p in passages])


def _tokenize(tokenizer, pairs: list[tuple[str, str]]) -> dict:
    return tokenizer([c for c, _ in pairs], [relevant_excerpt(p, c) for c, p in pairs],
                     truncation="longest_first", max_length=MAX_LENGTH, padding=True, return_tensors="pt")


def _length_sorted_batches(pairs: list[tuple[str, str]], size: int) -> list[list[int]]:
    """Indices in batches of similar length, so little of each batch is padding."""
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    return [order[i:i + size] for i in range(0, len(order), size)]
