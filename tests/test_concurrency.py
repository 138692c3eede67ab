"""Reads and writes together: threads of one process, and several processes on one data dir.

The store (SQLite, WAL) is the source of truth; every process's vector index follows the store's
generation, so a write by any process is seen by the next check of every other, and a check racing
an add or a delete never fails.
"""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from api import create_app
from qa.readers import RawDocument
from qa.service import FactChecker

GRAIN = "Grain deal\n\nTurkey lifted its barrier on Russian grain in May, the trade ministry said.\n"
GRAIN_QUESTION = "Did Turkey lift its barrier on Russian grain?"
TOMATO_QUESTION = "Did Russia lift its ban on Turkish tomatoes?"
CHURN_TEXT = ("Tomato ban lifted\n\nRussia lifted its ban on Turkish tomatoes on Friday, the ministry said. "
              "Exporters in Antalya welcomed the decision.")


def cited(result: dict) -> set[str]:
    return {p["source"]["title"] for side in ("supporting", "conflicting", "related") for p in result[side]}


def test_checks_never_fail_during_add_delete_churn(seeded_copy: FactChecker) -> None:
    client = create_app(seeded_copy.settings, checker=seeded_copy).test_client()
    statuses: list[int] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def churn() -> None:
        try:
            for _ in range(12):
                doc_id = seeded_copy.add_document(RawDocument(CHURN_TEXT)).doc_id
                seeded_copy.delete_document(doc_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            done.set()

    def ask() -> None:
        while not done.is_set():
            for url in (f"/v1/check?q={TOMATO_QUESTION}", "/v1/documents", "/?q=Did+Russia+lift+the+tomato+ban%3F"):
                statuses.append(client.get(url).status_code)

    threads = [threading.Thread(target=churn)] + [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert statuses and set(statuses) == {200}
    assert seeded_copy.store.passage_count() == len(seeded_copy.index)
    assert "Tomato ban lifted" not in cited(seeded_copy.check(TOMATO_QUESTION).to_dict())


def test_two_processes_see_each_others_writes(seeded_copy: FactChecker, encoder, stance_model) -> None:
    """Two FactCheckers on one data dir have separate connections and indexes, as two processes do."""
    other = FactChecker(seeded_copy.settings, encoder=encoder, stance=stance_model)
    doc_id = other.add_document(RawDocument(GRAIN)).doc_id
    assert "Grain deal" in cited(seeded_copy.check(GRAIN_QUESTION).to_dict())
    assert len(seeded_copy.index) == seeded_copy.store.passage_count()
    seeded_copy.delete_document(doc_id)
    assert "Grain deal" not in cited(other.check(GRAIN_QUESTION).to_dict())
    assert len(other.index) == other.store.passage_count() == len(seeded_copy.index)
    # a third one opening the saved files later starts from the latest state
    third = FactChecker(seeded_copy.settings, encoder=encoder, stance=stance_model)
    assert len(third.index) == third.store.passage_count()


def test_index_file_behind_the_store_is_caught_up_on_open(seeded_copy: FactChecker, encoder, stance_model) -> None:
    with seeded_copy.bulk():  # the index file is saved only at the end of a bulk ingest
        seeded_copy.add_document(RawDocument(GRAIN))
        reopened = FactChecker(seeded_copy.settings, encoder=encoder, stance=stance_model)
        assert len(reopened.index) == reopened.store.passage_count()
        assert "Grain deal" in cited(reopened.check(GRAIN_QUESTION).to_dict())


def test_cli_ingest_into_the_data_dir_of_a_running_app(seeded_copy: FactChecker, tmp_path: Path) -> None:
    client = create_app(seeded_copy.settings, checker=seeded_copy).test_client()
    assert "Grain deal" not in cited(client.get(f"/v1/check?q={GRAIN_QUESTION}").get_json())
    (tmp_path / "grain.txt").write_text(GRAIN)
    ingest = subprocess.run([sys.executable, "-m", "api.cli", "ingest", str(tmp_path / "grain.txt"),
                             "--data-dir", str(seeded_copy.settings.data_dir)], capture_output=True, text=True,
                            timeout=300)
    assert ingest.returncode == 0, ingest.stderr
    assert "1 added" in ingest.stdout
    ready = client.get("/readyz").get_json()  # before any check: readiness follows the store too
    assert ready["vectors"] == ready["passages"]
    assert "Grain deal" in cited(client.get(f"/v1/check?q={GRAIN_QUESTION}").get_json())
    assert client.get("/readyz").get_json()["passages"] == len(seeded_copy.index)
