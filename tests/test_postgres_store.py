"""The PostgreSQL store against a real server (Debian's `postgresql`, started by the fixture in a temporary
folder on a free loopback port, stopped at the end).

The store, index-follow, concurrency and kill -9 tests of test_index_store.py, test_concurrency.py and
test_server.py run here again on PostgreSQL: this module overrides their `seeded_copy`, `fresh_checker`
and `server` fixtures, and sets FACTCHECK_STORE_URL for what they start themselves (the CLI, a reopened
checker). Then what only a shared store has: replicas on separate data dirs that see each other's
writes (with FAISS and with Milvus), migrations raced by replicas starting together, a server that goes
away and comes back, and configuration that cannot work.
"""
from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from bench.postgres_server import PostgresServer, binaries, temporary_server
from embeddings.errors import StorageError
from embeddings.postgres_store import MIGRATIONS, TERM_COUNT, PostgresStore
from embeddings.store import open_store
from qa.readers import RawDocument
from qa.service import FactChecker
from qa.settings import Settings
from test_api import assert_problem
from test_concurrency import (  # noqa: F401  (run again here on PostgreSQL)
    GRAIN, GRAIN_QUESTION, cited, test_checks_never_fail_during_add_delete_churn,
    test_cli_ingest_into_the_data_dir_of_a_running_app, test_index_file_behind_the_store_is_caught_up_on_open,
    test_two_processes_see_each_others_writes)
from test_index_store import (  # noqa: F401
    test_bulk_ingest_saves_the_index_once, test_delete_removes_document_everywhere,
    test_index_rebuilt_from_store_when_out_of_step, test_restart_keeps_everything)
from test_lifecycle import test_close_releases_and_the_next_use_opens_again  # noqa: F401
from test_server import call, serving, test_two_workers_see_each_others_writes  # noqa: F401
from test_server import test_kill_9_mid_upload_keeps_every_acknowledged_document  # noqa: F401,I001  (kills: last)

if binaries() is None:
    pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)", allow_module_level=True)

_databases = itertools.count()
HARBOUR = "Harbour report {n}. The harbour of town number {n} reopened after repairs, officials said."


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with temporary_server() as server:
        yield server


@pytest.fixture(scope="session")
def seeded_database(postgres, tmp_path_factory, encoder, stance_model) -> str:
    """A database holding the seed articles, the template of every seeded copy (it must have no connections)."""
    url = postgres.create_database("seeded")
    with FactChecker(Settings(data_dir=tmp_path_factory.mktemp("pg-seeded"), store_url=url), encoder=encoder,
                     stance=stance_model) as checker:
        checker.index_seeds_if_empty()
    return "seeded"


def checker_on(url: str, data_dir: Path, encoder, stance_model, monkeypatch) -> FactChecker:
    monkeypatch.setenv("FACTCHECK_STORE_URL", url)  # for the processes a test starts itself
    return FactChecker(Settings(data_dir=data_dir, store_url=url, rate_limit=0), encoder=encoder, stance=stance_model)


@pytest.fixture
def seeded_copy(postgres, seeded_database, tmp_path, encoder, stance_model, monkeypatch) -> Iterator[FactChecker]:
    url = postgres.create_database(f"copy{next(_databases)}", template=seeded_database)
    checker = checker_on(url, tmp_path / "data", encoder, stance_model, monkeypatch)
    yield checker
    checker.close()


@pytest.fixture
def fresh_checker(postgres, tmp_path, encoder, stance_model, monkeypatch) -> Iterator[FactChecker]:
    checker = checker_on(postgres.create_database(f"fresh{next(_databases)}"), tmp_path / "data", encoder,
                         stance_model, monkeypatch)
    yield checker
    checker.close()


@pytest.fixture(scope="module")
def server(postgres, seeded_database, tmp_path_factory):
    """`factcheck serve` with two workers on a PostgreSQL store (the FAISS index is built from it at start)."""
    url = postgres.create_database("served", template=seeded_database)
    data = tmp_path_factory.mktemp("pg-served") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACTCHECK_STORE_URL", url)
        with serving(data, {"FACTCHECK_RATE_LIMIT": "0", "FACTCHECK_THREADS": "1"}, "--workers", "2") as served:
            yield served[0], data, served[1]


# ---- the store itself ---------------------------------------------------------------------------------
def test_term_counts_read_from_ts_rank_equal_the_positions(postgres) -> None:
    """BM25's tf comes from ts_rank (no unnest per hit); it must equal the lexeme's number of positions."""
    text = " ".join(["harbour"] * 40 + ["ferry"] * 7 + ["storm", "reopened", "harbour"] * 3)
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        rows = conn.execute(
            f"SELECT u.lexeme, {TERM_COUNT}, coalesce(array_length(u.positions, 1), 1)"
            " FROM (SELECT to_tsvector('english', %s) AS words) AS p CROSS JOIN LATERAL unnest(p.words) AS u"
            " CROSS JOIN LATERAL (SELECT quote_literal(u.lexeme)::tsquery AS query) AS terms", (text,)).fetchall()
    assert {lexeme: int(tf) for lexeme, tf, _ in rows} == {lexeme: n for lexeme, _, n in rows}
    assert dict((lexeme, n) for lexeme, _, n in rows)["harbour"] == 43


def test_lexeme_counts_follow_adds_and_deletes(fresh_checker: FactChecker) -> None:
    """The counts BM25 reads are kept in the write transactions: equal to a recount after adds and deletes."""
    ids = [fresh_checker.add_document(RawDocument(HARBOUR.format(n=n) + f" A storm hit town {n} in May."))
           .doc_id for n in range(4)]
    fresh_checker.delete_document(ids[1])
    store = fresh_checker.store
    assert isinstance(store, PostgresStore)
    kept = dict(store._sql.query("SELECT word, passages FROM lexemes"))
    recount = dict(store._sql.query("SELECT word, count(*) FROM passages, unnest(tsvector_to_array(words)) AS word"
                                    " GROUP BY word"))
    assert kept == recount and kept["harbour"] == 3
    totals = store._sql.query("SELECT passages, length FROM lexicon")[0]
    assert totals == tuple(store._sql.query("SELECT count(*), sum(length(words)) FROM passages")[0])


def test_lexical_search_ranks_rare_words_first(fresh_checker: FactChecker) -> None:
    for n in range(6):
        fresh_checker.add_document(RawDocument(HARBOUR.format(n=n)))
    fresh_checker.add_document(RawDocument("Tomato news. The tomato harvest in Antalya was late, growers said."))
    store = fresh_checker.store
    hits = store.lexical_search("Was the tomato harbour late?", 10)
    first = store.passages_by_ids([hits[0][0]])[hits[0][0]]
    assert "tomato" in first.text and len(hits) > 1 and hits[0][1] > hits[1][1]
    assert store.lexical_search("the of", 5) == [] and store.lexical_search("?!", 5) == []


def test_a_snapshot_never_sees_half_of_a_write(seeded_copy: FactChecker) -> None:
    store = seeded_copy.store
    with store.snapshot():
        before = store.document_count(), store.passage_count(), store.generation()
        writer = threading.Thread(target=seeded_copy.add_document, args=(RawDocument(GRAIN),))
        writer.start()
        writer.join()
        assert (store.document_count(), store.passage_count(), store.generation()) == before
    assert store.document_count() == before[0] + 1 and store.generation() > before[2]


def test_a_failed_write_leaves_the_data_as_it_was(seeded_copy: FactChecker, monkeypatch) -> None:
    store = seeded_copy.store
    before = store.document_count(), store.passage_count(), store.generation(), store._sql.query(
        "SELECT passages, length FROM lexicon")
    monkeypatch.setattr(seeded_copy.index, "save", lambda: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        seeded_copy.add_document(RawDocument(GRAIN))
    assert (store.document_count(), store.passage_count(), store.generation(),
            store._sql.query("SELECT passages, length FROM lexicon")) == before
    assert len(seeded_copy.index) == store.passage_count()


def test_replicas_starting_together_migrate_once(postgres) -> None:
    url = postgres.create_database(f"race{next(_databases)}")
    with ThreadPoolExecutor(6) as pool:
        stores = list(pool.map(lambda _: PostgresStore(url), range(6)))
    assert [s.generation() for s in stores] == [0] * 6
    assert stores[0]._sql.query("SELECT version FROM schema_version") == [(len(MIGRATIONS),)]
    for store in stores:
        store.close()


def test_a_newer_schema_is_refused(postgres) -> None:
    url = postgres.create_database(f"newer{next(_databases)}")
    PostgresStore(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = version + 1")
    with pytest.raises(StorageError, match="newer than this factcheck"):
        PostgresStore(url)


# ---- configuration that cannot work -----------------------------------------------------------------------
def test_bad_store_urls_fail_clearly_without_the_password(postgres, tmp_path) -> None:
    with pytest.raises(Exception, match="store_url must start with postgresql://"):
        Settings(data_dir=tmp_path, store_url="mysql://x@y/z").validate()
    closed_port = PostgresServer(postgres.bin_dir, tmp_path, durable=False).port  # nothing listens there
    with pytest.raises(StorageError, match=rf"cannot use PostgreSQL at fc@127.0.0.1:{closed_port}/db") as down:
        open_store(f"postgresql://fc:s3cret@127.0.0.1:{closed_port}/db", tmp_path)
    with pytest.raises(StorageError, match="nobody") as refused:
        open_store(postgres.url().replace("fc@", "nobody:s3cret@"), tmp_path)
    with pytest.raises(StorageError, match="does not exist"):
        open_store(postgres.url("no_such_database"), tmp_path)
    for failure in (down.value, refused.value):
        assert failure.status == 503 and "s3cret" not in failure.detail and "\n" not in failure.detail


def test_serve_refuses_to_start_on_a_store_it_cannot_reach(postgres, tmp_path) -> None:
    closed_port = PostgresServer(postgres.bin_dir, tmp_path, durable=False).port
    done = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--data-dir", str(tmp_path / "data")],
                          env={**os.environ, "FACTCHECK_STORE_URL": f"postgresql://fc:s3cret@127.0.0.1:{closed_port}/x"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: cannot use PostgreSQL at fc@127.0.0.1:{closed_port}/x")
    assert len(done.stderr.strip().splitlines()) == 1 and "s3cret" not in done.stderr + done.stdout


def test_a_server_that_goes_away_gives_503_and_loses_nothing(tmp_path, encoder, stance_model) -> None:
    from api import create_app

    with temporary_server() as own:
        checker = FactChecker(Settings(data_dir=tmp_path / "data", store_url=own.create_database("gone"),
                                       rate_limit=0), encoder=encoder, stance=stance_model)
        checker.add_document(RawDocument(GRAIN))
        client = create_app(checker.settings, checker=checker).test_client()
        assert client.get("/readyz").status_code == 200
        own.stop()
        assert_problem(client.get("/readyz"), 503)
        assert_problem(client.get("/v1/check", query_string={"q": GRAIN_QUESTION}), 503)
        response = client.post("/v1/documents", json={"text": HARBOUR.format(n=1)})
        assert_problem(response, 503)
        assert int(response.headers["Retry-After"]) > 0
        own.start()
        assert client.get("/readyz").get_json()["documents"] == 1  # nothing half-stored; back without a restart
        assert "Grain deal" in cited(client.get("/v1/check", query_string={"q": GRAIN_QUESTION}).get_json())
        assert client.post("/v1/documents", json={"text": HARBOUR.format(n=1)}).status_code == 201
        checker.close()


# ---- replicas on several hosts: separate data dirs, one store --------------------------------------------
@pytest.fixture(params=["faiss", "milvus"])
def replicas(request, postgres, seeded_database,
             tmp_path_factory) -> Iterator[list[tuple[str, subprocess.Popen, Path]]]:
    """Two `factcheck serve` processes, each with a data dir of its own, on one PostgreSQL database; with
    Milvus, on one collection too."""
    env = {"FACTCHECK_STORE_URL": postgres.create_database(f"replicas{next(_databases)}", template=seeded_database),
           "FACTCHECK_RATE_LIMIT": "0", "FACTCHECK_THREADS": "1"}
    if request.param == "milvus":
        pytest.importorskip("milvus_lite", reason="milvus-lite is not installed: pip install -e '.[scale]'")
        milvus = request.getfixturevalue("milvus")
        env |= {"FACTCHECK_VECTOR_BACKEND": "milvus", "FACTCHECK_MILVUS_URI": milvus.uri,
                "FACTCHECK_MILVUS_COLLECTION": f"replicas{next(_databases)}"}
    with ExitStack() as stack:
        started = []
        for name in ("a", "b"):
            data = tmp_path_factory.mktemp(f"replica-{name}") / "data"
            started.append((*stack.enter_context(serving(data, env)), data))
        yield started


def test_replicas_share_writes_and_a_killed_one_loses_nothing(replicas) -> None:
    (a, process_a, _), (b, _, data_b) = replicas
    status, created = call(f"{a}/v1/documents", {"text": GRAIN})
    assert status == 201
    assert call(f"{b}/v1/documents/{created['doc_id']}")[0] == 200
    assert "Grain deal" in cited(call(f"{b}/v1/check?q=Did+Turkey+lift+its+barrier+on+Russian+grain%3F")[1])
    assert _delete(b, created["doc_id"]) == 204
    assert call(f"{a}/v1/documents/{created['doc_id']}")[0] == 404
    assert "Grain deal" not in cited(call(f"{a}/v1/check?q=Did+Turkey+lift+its+barrier+on+Russian+grain%3F")[1])

    acknowledged: list[str] = []

    def upload() -> None:
        for n in range(200):
            try:
                status, body = call(f"{a}/v1/documents", {"text": HARBOUR.format(n=n)}, timeout=30)
            except OSError:
                return  # the replica is gone
            if status == 201:
                acknowledged.append(body["doc_id"])

    uploader = threading.Thread(target=upload)
    uploader.start()
    while len(acknowledged) < 4 and uploader.is_alive():
        time.sleep(0.05)
    os.killpg(process_a.pid, signal.SIGKILL)  # replica a, mid-upload
    uploader.join(60)
    assert len(acknowledged) >= 4
    for doc_id in acknowledged:
        assert call(f"{b}/v1/documents/{doc_id}")[0] == 200
    n = int(call(f"{b}/v1/documents/{acknowledged[-1]}")[1]["text"].split()[2].rstrip("."))
    found = call(f"{b}/v1/check?q=Did+the+harbour+of+town+number+{n}+reopen%3F")[1]
    assert acknowledged[-1] in {p["source"]["doc_id"] for s in ("supporting", "related") for p in found[s]}
    ready = call(f"{b}/readyz")[1]  # after a check, which brings b's vectors up to the store
    if list(data_b.glob("*.faiss*")):  # b's own index follows the store's committed changes
        assert ready["passages"] == ready["vectors"]
    else:  # one shared collection: the write a was killed in may have left its vectors, never its passages
        # (they are never returned: their ids were never committed; the next rebuild drops them)
        assert ready["passages"] <= ready["vectors"] <= ready["passages"] + 2
        assert [p.name for p in data_b.iterdir()] == ["passages.generation.json"]  # b keeps no state of its own


def _delete(base: str, doc_id: str) -> int:
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(f"{base}/v1/documents/{doc_id}", method="DELETE")) as response:
        return response.status

