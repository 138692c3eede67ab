"""Pick the numeric precision of a torch model on this CPU by measuring, never by assumption.

bf16 autocast is 2-3x faster than fp32 on CPUs with native bf16 (AVX512-BF16, AMX) and several
times slower on CPUs without it (emulated). `bf16_is_faster` times one representative call both
ways, best of a few runs, and answers for the machine at hand.
"""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable


def autocast(bf16: bool):
    """The context to run a forward pass in: bf16 autocast, or plain fp32."""
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()


def best_seconds(run: Callable[[], object], repeats: int = 3) -> float:
    run()  # warm-up: first calls pay for kernel selection and allocation
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def bf16_is_faster(forward: Callable[[], object], margin: float = 0.9) -> bool:
    """True when `forward` under bf16 autocast takes under `margin` of its fp32 time."""
    import torch

    with torch.inference_mode():
        fp32 = best_seconds(lambda: forward())
        with autocast(True):
            bf16 = best_seconds(lambda: forward())
    return bf16 < margin * fp32
