"""Strict xfail markers for the seed-page answers the shipped stance model still gets wrong.

One place for the measured reasons, shared by the API-level and browser tests; update them (or
remove a marker once its test passes) whenever the model in qa/models/stance changes.
"""
import pytest

SAFE_ZONES_NOT_DISPUTED = pytest.mark.xfail(
    strict=True, reason="known model gap (v3): the only supporting passage reaches 0.57 supports, below the 0.8 a "
    "side needs for 'disputed', because Putin's 'secured the backing' reads 0.48 refutes; the answer is 'refuted' "
    "at low confidence (see qa/models/stance/MODEL_CARD.md)")
SAFE_ZONES_EVIDENCE_MISPLACED = pytest.mark.xfail(
    strict=True, reason="known model gap: towards 'Trump agreed to safe zones' the shipped stance model (v3) gives "
    "Putin's 'secured the backing' 0.33 supports / 0.48 refutes and the White House's 'didn't state there was "
    "agreement' 0.34 refutes / 0.56 neutral (see qa/models/stance/MODEL_CARD.md)")
