"""Constructors only wire: nothing touches the disk until first use or an explicit open(); close() releases."""
from __future__ import annotations

from api import close_app, create_app
from qa.service import FactChecker
from qa.settings import Settings


def test_create_app_touches_no_disk_until_first_use(tmp_path, encoder, stance_model) -> None:
    data = tmp_path / "not-yet"
    checker = FactChecker(Settings(data_dir=data, rate_limit=0), encoder=encoder, stance=stance_model)
    app = create_app(checker.settings, checker=checker)
    assert not data.exists()
    assert app.test_client().get("/healthz").status_code == 200
    assert not data.exists()  # a health check reads nothing
    assert app.test_client().get("/v1/documents").get_json() == {"documents": []}
    assert (data / "factcheck.sqlite3").exists()
    close_app(app)


def test_close_releases_and_the_next_use_opens_again(seeded_copy) -> None:
    count = seeded_copy.store.document_count()
    seeded_copy.close()
    seeded_copy.close()  # idempotent
    assert seeded_copy.store.document_count() == count  # opened again on use
    with FactChecker(seeded_copy.settings, encoder=seeded_copy.encoder, stance=seeded_copy.stance) as other:
        assert other.store.document_count() == count
