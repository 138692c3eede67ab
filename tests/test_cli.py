"""The command line: ingest with errors reported per file, ask in text and in the JSON contract."""
from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from api.cli import main


def test_ingest_then_ask(tmp_path, seeded_dir) -> None:
    data = tmp_path / "data"
    shutil.copytree(seeded_dir, data)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "grain.txt").write_text("Grain deal\n\nTurkey lifted its barrier on Russian grain in May.\n")
    (tmp_path / "docs" / "broken.jsonl").write_text('{"text": 1}\n')
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(tmp_path / "docs"), "--data-dir", str(data)])
    assert result.exit_code == 1
    assert "1 added, 0 already present, 1 failed" in result.stdout and "broken.jsonl line 1" in result.stderr
    again = runner.invoke(main, ["ingest", str(tmp_path / "docs" / "grain.txt"), "--data-dir", str(data)])
    assert again.exit_code == 0 and "0 added, 1 already present" in again.stdout

    as_json = runner.invoke(main, ["ask", "Did Turkey lift its barrier on Russian grain?", "--json", "--data-dir", str(data)])
    body = json.loads(as_json.stdout)
    assert body["claim"] == "Turkey lifted its barrier on Russian grain."
    assert any(p["source"]["title"] == "Grain deal" for s in ("supporting", "conflicting", "related") for p in body[s])

    text = runner.invoke(main, ["ask", "Did China send troops to Syria?", "--data-dir", str(data)])
    assert text.exit_code == 0 and text.stdout.startswith("NOT ENOUGH INFO")


def test_bad_input_is_a_clean_error(tmp_path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["ingest", str(tmp_path / "nope"), "--data-dir", str(tmp_path / "d")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr and "Traceback" not in missing.output
    empty = runner.invoke(main, ["ask", "  ", "--data-dir", str(tmp_path / "d")])
    assert empty.exit_code == 1 and "non-empty" in empty.stderr
