"""Who may write, and input that used to end in a 500: keys, Host/Origin, malformed values, serve's guard."""
from __future__ import annotations

import io
from dataclasses import replace

import pytest
from click.testing import CliRunner

from api import create_app
from api.guard import host_allowed, is_loopback, origin_allowed
from api.cli import main
from tests.test_api import assert_problem

DOC = {"text": "Mayor resigns. The mayor of Springfield resigned on Monday, the council said.", "title": "Mayor"}


@pytest.fixture
def keyed(seeded_copy):
    settings = replace(seeded_copy.settings, api_key="s3cret")
    return create_app(settings, checker=seeded_copy).test_client(), seeded_copy


def test_writes_need_the_key_reads_stay_open(keyed) -> None:
    client, checker = keyed
    before = checker.store.document_count()
    denied = client.post("/v1/documents", json=DOC)
    assert_problem(denied, 401)
    assert denied.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(client.post("/v1/documents", json=DOC, headers={"Authorization": "Bearer wrong"}), 401)
    upload = {"file": (io.BytesIO(DOC["text"].encode()), "mayor.txt")}
    assert_problem(client.post("/v1/documents", data=upload), 401)
    assert checker.store.document_count() == before
    created = client.post("/v1/documents", json=DOC, headers={"Authorization": "Bearer s3cret"})
    assert created.status_code == 201
    doc_id = created.get_json()["doc_id"]
    assert_problem(client.delete(f"/v1/documents/{doc_id}"), 401)
    assert client.get(f"/v1/documents/{doc_id}").status_code == 200
    assert client.get("/v1/documents").status_code == 200
    assert client.get("/v1/check?q=Did+the+mayor+resign%3F").status_code == 200
    assert client.post("/v1/judge", json={"claim": "The mayor resigned.", "passages": ["He quit."]}).status_code == 200
    assert client.delete(f"/v1/documents/{doc_id}", headers={"X-API-Key": "s3cret"}).status_code == 204


def test_cross_origin_writes_are_refused(seeded_copy) -> None:
    """A page on another site (no-cors multipart POST) or a DNS-rebound host name cannot plant a document."""
    client = create_app(seeded_copy.settings, checker=seeded_copy).test_client()
    before = seeded_copy.store.document_count()
    planted = {"file": (io.BytesIO(DOC["text"].encode()), "mayor.txt")}
    assert_problem(client.post("/v1/documents", data=planted, headers={"Origin": "http://attacker.example"}), 403)
    assert_problem(client.post("/v1/documents", json=DOC, base_url="http://attacker.example"), 421)
    assert_problem(client.delete("/v1/documents/x", headers={"Origin": "null"}), 403)
    assert seeded_copy.store.document_count() == before
    same_site = client.post("/v1/documents", json=DOC, headers={"Origin": "http://localhost:8000"})
    assert same_site.status_code == 201


def test_allowed_hosts_rule(monkeypatch) -> None:
    from api.guard import allowed_hosts
    from qa.settings import Settings

    hosts = allowed_hosts(Settings.from_env())
    assert host_allowed("127.0.0.1:8000", hosts) and host_allowed("[::1]:80", hosts)
    assert host_allowed("localhost", hosts)
    assert not host_allowed("attacker.example", hosts) and not host_allowed("localhost.attacker.example:80", hosts)
    assert origin_allowed(None, hosts) and origin_allowed("https://localhost:8443", hosts)
    assert not origin_allowed("http://attacker.example", hosts) and not origin_allowed("null", hosts)
    monkeypatch.setenv("FACTCHECK_ALLOWED_HOSTS", "factcheck.lan:*")
    assert host_allowed("factcheck.lan:8000", allowed_hosts(Settings.from_env()))
    monkeypatch.setenv("FACTCHECK_ALLOWED_HOSTS", "*")
    assert host_allowed("anything.example", allowed_hosts(Settings.from_env()))


@pytest.mark.parametrize("method, url, kwargs", [
    ("get", "/v1/check?q=x&top_k=%C2%B2", {}),  # "²" passes str.isdigit
    ("post", "/v1/check", {"data": "[" * 100_000 + "]" * 100_000, "content_type": "application/json"}),
    ("post", "/v1/judge", {"data": '{"claim": ' + "[" * 50_000 + "]" * 50_000 + "}",
                           "content_type": "application/json"}),
    ("post", "/v1/check", {"json": {"question": " ".join(["word"] * 65)}}),
    ("post", "/v1/judge", {"json": {"claim": "x, " * 65, "passages": ["p"]}}),
])
def test_malformed_input_is_a_4xx_problem(client, method: str, url: str, kwargs: dict) -> None:
    assert_problem(getattr(client, method)(url, **kwargs), 400)


def test_method_not_allowed_names_the_allowed_methods(client) -> None:
    response = client.put("/v1/documents")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_serve_refuses_a_public_address_without_a_key(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("FACTCHECK_API_KEY", raising=False)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 2 and "FACTCHECK_API_KEY" in result.output and "--insecure" in result.output
    assert not (tmp_path / "d").exists()  # refused before touching anything
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.com")
