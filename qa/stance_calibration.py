"""Temperature scaling and expected calibration error for 3-way stance probabilities."""
from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    probs = softmax(logits, temperature)
    return float(-np.log(probs[np.arange(len(labels)), labels] + 1e-12).mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature in [0.25, 5] minimising NLL, by a coarse-to-fine grid (convex in 1/T)."""
    grid = np.exp(np.linspace(np.log(0.25), np.log(5.0), 200))
    losses = [negative_log_likelihood(logits, labels, t) for t in grid]
    return float(round(grid[int(np.argmin(losses))], 4))


def expected_calibration_error(logits: np.ndarray, labels: np.ndarray, temperature: float, bins: int = 15) -> float:
    return calibration_error(softmax(logits, temperature), labels, bins)


def calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """Top-label ECE: |accuracy - confidence| averaged over equal-width confidence bins."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (confidence > lo) & (confidence <= hi)
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(round(ece, 4))
