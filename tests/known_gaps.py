"""Strict xfail markers for the seed-page answers the shipped stance model still gets wrong.

One place for the measured reasons, shared by the API-level and browser tests; update them (or
remove a marker once its test passes) whenever the model in qa/models/stance or qa/evidence_model.json
changes.
"""
import pytest

SAFE_ZONES_NOT_DISPUTED = pytest.mark.xfail(
    strict=True, reason="known model gap (stance v7 + evidence model): the answer is 'supported' (0.34), resting on "
    "'Moscow and Ankara both agree that the creation of safe zones ...'; the Kremlin's 'made no mention of safe zones' "
    "reads 0.47 refutes, which the evidence model rates 0.07 refuting evidence, so nothing reaches the shown threshold "
    "for Conflicts (see qa/models/stance/MODEL_CARD.md)")
SAFE_ZONES_EVIDENCE_MISPLACED = pytest.mark.xfail(
    strict=True, reason="known model gap (stance v7): towards 'Trump agreed to safe zones' the stance model reads "
    "Putin's 'secured the backing', judged after its title, as 0.59 refutes (its trailing 'ban on bombing raids' read "
    "as a denial), which the evidence model rates not evidence (0.91), so the passage is listed as related, not under "
    "Supports (see qa/models/stance/MODEL_CARD.md)")
