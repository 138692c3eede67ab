"""Schemathesis against the served /openapi.json: every operation, valid and invalid input, all checks.

    python -m bench.fuzz_api [--examples 50] [--seed 7] [--name fuzz_api]

Builds the app over a temporary copy of seeds/ (writes are fuzzed too, so never over real data),
loads the schema the app serves, and for every operation draws `--examples` valid (positive) and as
many invalid (negative) cases. Each response goes through schemathesis's checks (no 5xx, status
code, content type, headers and body as documented, invalid input rejected, valid input accepted).
Writes bench/results/fuzz_api.json: cases, status counts, 5xx count and every failure found.
"""
from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

import hypothesis
import hypothesis.errors
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase

from bench.common import REPO, write_results
from qa.settings import Settings


def fuzz_app(data_dir: Path) -> Flask:
    from api import create_app

    app = create_app(Settings(data_dir=data_dir, rate_limit=0, queue_limit=64))
    app.extensions["factcheck"].index_seeds_if_empty()
    return app


def fuzz(app: Flask, examples: int, seed: int = 7) -> dict:
    """Run the cases against `app` in-process; returns counts and failures (empty when all checks pass)."""
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    statuses: Counter[str] = Counter()
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            _run(operation, mode, examples, seed, statuses, failures)
    cases = sum(n for code, n in statuses.items() if code != "unsendable")
    server_errors = sum(n for code, n in statuses.items() if code.startswith("5") and code != "503")
    return {"cases": cases, "status_counts": dict(sorted(statuses.items())), "server_errors": server_errors,
            "failures": failures}


def _run(operation, mode, examples: int, seed: int, statuses: Counter, failures: dict[str, str]) -> None:
    @hypothesis.seed(seed)
    @hypothesis.settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                         suppress_health_check=list(HealthCheck))
    @hypothesis.given(operation.as_strategy(generation_mode=mode))
    def one(case) -> None:
        try:
            response = case.call()
        except (AttributeError, TypeError, ValueError):
            # a case the WSGI test transport cannot even encode (e.g. a multipart body that is a bare
            # number): no request reached the app, so there is no answer to check
            statuses["unsendable"] += 1
            return
        statuses[str(response.status_code)] += 1
        try:
            case.validate_response(response)
        except (AssertionError, BaseExceptionGroup) as exc:  # a schemathesis Failure, or a FailureGroup of them
            found = list(exc.exceptions) if isinstance(exc, BaseExceptionGroup) else [exc]
            for failure in found:
                if _expected(failure, operation.label, response.status_code):
                    continue
                key = f"{operation.label} [{mode.value}] {type(failure).__name__}"
                failures.setdefault(key, f"{str(failure)[:600]}\n-- {case.method} {case.path} "
                                         f"{str(case.query or '')[:200]} {str(case.body)[:200]}")

    try:
        one()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing to vary in this mode (e.g. no invalid input exists for GET /healthz)


def _expected(failure: BaseException, operation: str, status: int) -> bool:
    """422s no JSON Schema can foresee: a document whose text holds no prose passages, a text of more
    than MAX_TEXT_CLAIMS claims."""
    return (type(failure).__name__ == "RejectedPositiveData" and status == 422
            and operation in ("POST /v1/documents", "POST /v1/check_text"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50, help="cases per operation and mode")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--name", default="fuzz_api", help="results file name (bench/results/NAME.json)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = fuzz(fuzz_app(Path(tmp) / "data"), args.examples, args.seed)
    report = {"examples_per_operation_and_mode": args.examples, "seed": args.seed,
              "schemathesis": schemathesis.__version__ if hasattr(schemathesis, "__version__") else "4.32.0",
              "seeds_dir": str(REPO / "seeds"), **report}
    print({k: v for k, v in report.items() if k != "failures"})
    for key, text in report["failures"].items():
        print(f"\n== {key}\n{text}")
    write_results(args.name, report)


if __name__ == "__main__":
    main()
