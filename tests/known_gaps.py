"""Strict xfail markers for the seed-page answers the shipped stance model still gets wrong.

One place for the measured reasons, shared by the API-level and browser tests; update them (or
remove a marker once its test passes) whenever the model in qa/models/stance changes.
"""
import pytest

SAFE_ZONES_NOT_DISPUTED = pytest.mark.xfail(
    strict=True, reason="known model gap (v4): judged with its neighbouring sentences, Putin's 'secured the backing "
    "... which could include a ban on bombing raids' reads 0.65 refutes (alone, without the 'ban' clause, 0.78 "
    "supports); the best support reaches 0.45, so the answer is 'refuted' at low confidence "
    "(see qa/models/stance/MODEL_CARD.md)")
SAFE_ZONES_EVIDENCE_MISPLACED = pytest.mark.xfail(
    strict=True, reason="known model gap (v4): towards 'Trump agreed to safe zones' the shipped stance model puts "
    "Putin's 'secured the backing' under Conflicts (0.65 refutes, its trailing 'ban on bombing raids' read as a "
    "denial) (see qa/models/stance/MODEL_CARD.md)")
