"""One settings registry: every setting has help text, `factcheck settings` lists them, secrets stay
hidden, and a setting that contradicts the fitted verdict parameters is refused at start."""
from __future__ import annotations

from dataclasses import fields

from click.testing import CliRunner

from api.cli import main
from qa.settings import Settings


def test_every_setting_has_help_and_an_environment_variable(monkeypatch) -> None:
    monkeypatch.setenv("FACTCHECK_API_KEY", "s3cret")
    monkeypatch.setenv("FACTCHECK_QUEUE_LIMIT", "3")
    described = Settings.from_env().described()
    assert [name for name, _, _ in described] == [f"FACTCHECK_{f.name.upper()}" for f in fields(Settings)]
    assert all(len(help_text) > 20 for _, _, help_text in described)
    shown = dict((name, value) for name, value, _ in described)
    assert shown["FACTCHECK_API_KEY"] == "(set)" and shown["FACTCHECK_QUEUE_LIMIT"] == "3"
    output = CliRunner().invoke(main, ["settings"]).output
    assert "FACTCHECK_MAX_UPLOAD_BYTES=10485760" in output and "s3cret" not in output


def test_allowed_hosts_older_name_still_works(monkeypatch) -> None:
    monkeypatch.setenv("FACTCHECK_MCP_ALLOWED_HOSTS", "factcheck.lan:*")
    assert Settings.from_env().host_patterns == ["factcheck.lan:*"]
    monkeypatch.setenv("FACTCHECK_ALLOWED_HOSTS", "*")
    assert Settings.from_env().host_patterns is None
