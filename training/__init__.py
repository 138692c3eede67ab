"""Stance-model training: the data pool, augmentation, the training loop, export and averaging.

Not part of the serving package: it imports `qa` (labels, text preparation, calibration), never the reverse.
Run it as `python -m training train-stance ...` from a clone of the repository.
"""
