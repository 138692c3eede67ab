"""Bulk ingest on Ray (local mode, 2 CPUs) gives the same store, vectors and answers as plain ingest."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install -e '.[scale]'")

from api.cli import main  # noqa: E402
from qa.errors import InvalidInput  # noqa: E402
from qa.ray_ingest import RayOptions, ray_ingest  # noqa: E402
from qa.service import FactChecker  # noqa: E402
from qa.settings import SEEDS_DIR, Settings  # noqa: E402


@pytest.fixture(scope="module")
def ray_local():
    import os

    import ray

    os.environ.setdefault("RAY_gcs_server_port_wait_time_s", "120")  # Ray's ~20 s is too short on busy cores
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def contents(checker: FactChecker) -> tuple[list[dict], list[list[tuple]], np.ndarray]:
    docs = sorted(({k: v for k, v in d.items() if k != "created_at"} for d in checker.list_documents()),
                  key=lambda d: d["doc_id"])  # listing order follows created_at, which has 1 s resolution
    passages = [[(p.id, p.text, p.start, p.end) for p in checker.store.passages_of(d["doc_id"])] for d in docs]
    return docs, passages, checker.store.all_vectors()[1]


def assert_same_contents(a: FactChecker, b: FactChecker) -> None:
    docs_a, passages_a, vectors_a = contents(a)
    docs_b, passages_b, vectors_b = contents(b)
    assert docs_a == docs_b and passages_a == passages_b  # same ids, stories, offsets, in the same order
    # each process picks its encoder's precision by measuring (fp32 or bf16 within cosine 0.999 of it)
    assert vectors_a.shape == vectors_b.shape and np.min(np.sum(vectors_a * vectors_b, axis=1)) >= 0.999
    assert len(a.index) == len(b.index) == a.store.passage_count()


def test_ray_ingest_of_the_seeds_equals_plain_ingest(ray_local, seeded, tmp_path, encoder, stance_model) -> None:
    checker = FactChecker(Settings(data_dir=tmp_path / "data"), encoder=encoder, stance=stance_model)
    outcomes = ray_ingest(checker, [SEEDS_DIR], RayOptions(actors=1, threads=2, batch_size=32))
    assert [o.created for o in outcomes] == [True] * 5
    assert_same_contents(checker, seeded)
    question = "Did Russia lift its ban on Turkish tomatoes?"
    on_ray, plain = checker.check(question).to_dict(), seeded.check(question).to_dict()
    assert on_ray["verdict"] == plain["verdict"] == "refuted"
    for side in ("supporting", "conflicting", "related"):  # relevance agrees within the vectors' tolerance
        assert [p["id"] for p in on_ray[side]] == [p["id"] for p in plain[side]]
        assert [p["relevance"] for p in on_ray[side]] == pytest.approx([p["relevance"] for p in plain[side]], abs=2e-3)


def write_corpus(folder: Path) -> list[Path]:
    folder.mkdir()
    texts = {"a.txt": "Harbour news\n\nThe harbour in Dover reopened on Monday after two weeks of repairs. "
                      "Ferries to Calais resumed the same evening.",
             "b.txt": "Harbour news\n\nThe harbour in Dover reopened on Monday after two weeks of repairs. "
                      "Ferries to Calais resumed the same evening.",  # the same document again
             "c.jsonl": '{"text": "The bridge in Calais closed on Tuesday for repairs. Traffic was diverted."}\n'
                        '{"text": "Rail services to Lille ran late on Wednesday after a signal fault."}\n',
             "d.jsonl": '{"text": "A fine report."}\n{"text": 5}\n'}  # a bad line rejects the whole file
    for name, text in texts.items():
        (folder / name).write_text(text)
    return [folder]


def test_ray_ingest_reports_and_stores_like_plain_ingest(ray_local, tmp_path, encoder, stance_model) -> None:
    paths = write_corpus(tmp_path / "docs")
    plain = FactChecker(Settings(data_dir=tmp_path / "plain"), encoder=encoder, stance=stance_model)
    on_ray = FactChecker(Settings(data_dir=tmp_path / "ray"), encoder=encoder, stance=stance_model)
    expected = plain.ingest_paths(paths)
    got = ray_ingest(on_ray, paths, RayOptions(actors=1, threads=1, chunk_passages=4))  # two Ray datasets
    assert [(o.path, o.doc_id, o.created, o.passages, o.error) for o in got] == \
        [(o.path, o.doc_id, o.created, o.passages, o.error) for o in expected]
    assert sum(o.created for o in got) == 3 and "line 2" in got[-1].error
    assert_same_contents(on_ray, plain)
    again = ray_ingest(on_ray, paths[:1], RayOptions(actors=1, threads=1))
    assert not any(o.created for o in again) and on_ray.store.document_count() == 3


def test_cli_ingest_on_ray(ray_local, tmp_path) -> None:
    paths = write_corpus(tmp_path / "docs")
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["ingest", str(paths[0]), "--data-dir", str(data), "--ray"])
    assert result.exit_code == 1 and "3 added, 1 already present, 1 failed" in result.stdout
    assert "d.jsonl line 2" in result.stderr
    wrong = CliRunner().invoke(main, ["ingest", "--ray", str(paths[0]), str(paths[0]), "--data-dir", str(data)])
    assert wrong.exit_code != 0 and "put PATHs before --ray" in wrong.stderr


def test_bad_ray_options_are_refused() -> None:
    for bad in ({"address": "docs/"}, {"address": "http://head:8265"}, {"actors": 0}):
        with pytest.raises(InvalidInput):
            RayOptions(**bad)
    assert RayOptions(address="ray://head.lan:10001").address == "ray://head.lan:10001"
