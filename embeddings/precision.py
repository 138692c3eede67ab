"""Pick how a torch model runs on this CPU by measuring, never by assumption: the one place that does.

bf16 autocast is 2-3x faster than fp32 on CPUs with native bf16 (AVX512-BF16, AMX) and several
times slower where it is emulated; dynamic int8 helps on some CPUs and costs accuracy. At load time
`choose` runs a small probe in every candidate mode, drops a mode whose output strays from fp32's
beyond the caller's tolerance, and keeps the fastest of the rest (best of a few runs; a faster mode
must beat fp32 by a margin). Nothing is cached: each process measures the machine it runs on.
"""
from __future__ import annotations

import contextlib
import copy
import functools
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MODES = ("fp32", "bf16", "int8")
MARGIN = 0.9  # a faster mode must take under this share of fp32's time


def autocast(bf16: bool):
    """The context to run a forward pass in: bf16 autocast, or plain fp32."""
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()


def best_seconds(run: Callable[[], object], repeats: int = 3) -> float:
    run()  # warm-up: first calls pay for kernel selection and allocation
    return _best_of(run, repeats)


def _best_of(run: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def bf16_is_faster(forward: Callable[[], object], margin: float = MARGIN) -> bool:
    """True when `forward` under bf16 autocast takes under `margin` of its fp32 time."""
    import torch

    with torch.inference_mode():
        fp32 = best_seconds(lambda: forward())
        with autocast(True):
            bf16 = best_seconds(lambda: forward())
    return bf16 < margin * fp32


def int8_copy(model):
    """A dynamically int8-quantised copy of `model` (Linear layers; activations quantised per call)."""
    import torch
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated in favour of torchao
        return quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear}, dtype=torch.qint8)


_process_threads: int | None = None
_threads_lock = threading.Lock()


def fix_process_threads(threads: int) -> int:
    """Torch has one intra-op thread pool per process: the first model to finish loading sets its size
    once, here; every later model runs (and measures) on it. Returns the size in force. Nothing on the
    hot path changes it."""
    global _process_threads
    with _threads_lock:
        if _process_threads is None:
            import torch

            torch.set_num_threads(threads)
            _process_threads = threads
        return _process_threads


def thread_counts(threads: int) -> list[int]:
    """The thread counts a loading model may measure: the process's once fixed, else 1 and `threads`."""
    return [_process_threads] if _process_threads else sorted({1, threads})


def runner(model, mode: str, threads: int | None = None, quantised=None) -> Callable[[Callable], Any]:
    """`run(call)` calls `call(m)` with m the model to use, inside the mode's context; with `threads`
    (only while measuring, at load) on that many threads."""
    import torch

    def run(call: Callable):
        if threads is not None and torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        with torch.inference_mode(), autocast(mode == "bf16"):
            return call(quantised if mode == "int8" else model)
    return run


@dataclass
class Choice:
    mode: str
    threads: int
    seconds: dict[str, float] = field(default_factory=dict)  # best probe time of each candidate timed
    rejected: dict[str, str] = field(default_factory=dict)  # mode -> why it was not eligible
    took_s: float = 0.0  # what measuring cost

    def describe(self) -> str:
        if not self.seconds:
            return f"{self.mode} on {self.threads} thread(s) (as configured, not measured)"
        times = ", ".join(f"{c} {s * 1000:.0f} ms" for c, s in self.seconds.items())
        dropped = "".join(f"; {m} rejected: {why}" for m, why in self.rejected.items())
        return f"{self.mode} on {self.threads} thread(s) (probe: {times}{dropped}; measured in {self.took_s:.2f} s)"


Probe = Callable[[str, int], np.ndarray]


def choose(probe: Probe, agrees: Callable[[np.ndarray, np.ndarray], str | None], threads: int,
           modes: tuple[str, ...] = MODES, counts: list[int] | None = None) -> Choice:
    """The fastest (mode, thread count) whose probe output `agrees` with fp32's.

    `probe(mode, threads)` runs one representative call; `agrees` returns None, or why not. Thread
    counts tried: `counts`, by default 1 and `threads` (more threads lose badly when other processes
    hold the cores)."""
    started = time.perf_counter()
    choice = Choice("fp32", threads)
    best = _time_threads(probe, counts or sorted({1, threads}), choice)
    choice.threads = best
    reference = probe("fp32", best)
    for mode in modes:
        if mode == "fp32":
            continue
        problem = agrees(reference, probe(mode, best))
        if problem:
            choice.rejected[mode] = problem
        else:
            choice.seconds[f"{mode}/{best}"] = _seconds(functools.partial(probe, mode, best), choice)
    fastest = min((c for c in choice.seconds if c.endswith(f"/{best}")), key=choice.seconds.__getitem__)
    if choice.seconds[fastest] < MARGIN * choice.seconds[f"fp32/{best}"]:
        choice.mode = fastest.split("/")[0]
    choice.took_s = time.perf_counter() - started
    return choice


def _time_threads(probe: Probe, counts: list[int], choice: Choice) -> int:
    for count in counts:
        choice.seconds[f"fp32/{count}"] = _seconds(functools.partial(probe, "fp32", count), choice)
    return min(counts, key=lambda count: choice.seconds[f"fp32/{count}"])


def _seconds(run: Callable[[], object], choice: Choice, repeats: int = 2) -> float:
    """Best of `repeats` timed runs after a warm-up; a candidate whose warm-up already takes over
    four times the best time so far is clearly slower and is not timed further."""
    started = time.perf_counter()
    run()
    first = time.perf_counter() - started
    if choice.seconds and first > 4 * min(choice.seconds.values()):
        return first
    return _best_of(run, repeats)


def cosine_agreement(minimum: float) -> Callable[[np.ndarray, np.ndarray], str | None]:
    """Embeddings agree when every row's cosine with fp32's reaches `minimum`."""
    def agrees(reference: np.ndarray, other: np.ndarray) -> str | None:
        norms = np.linalg.norm(reference, axis=1) * np.linalg.norm(other, axis=1)
        worst = float(((reference * other).sum(axis=1) / norms).min())
        return None if worst >= minimum else f"cosine {worst:.4f} < {minimum}"
    return agrees


def probability_agreement(max_shift: float) -> Callable[[np.ndarray, np.ndarray], str | None]:
    """Class probabilities agree when each label is kept and no probability moves by more than `max_shift`."""
    def agrees(reference: np.ndarray, other: np.ndarray) -> str | None:
        if (reference.argmax(axis=1) != other.argmax(axis=1)).any():
            return "a probe label changed"
        shift = float(np.abs(reference - other).max())
        return None if shift <= max_shift else f"probability shift {shift:.3f} > {max_shift}"
    return agrees
