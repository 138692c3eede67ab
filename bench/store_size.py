"""Bytes per passage in the SQLite store (the source of truth), on FNC-1 article bodies.

    python -m bench.store_size [--articles 1000]

Cleans and splits real FNC-1 bodies as ingest does and stores them through SQLiteStore with
random unit vectors in place of MiniLM's (a vector is 384 float32s whatever its values, so sizes
are the same; no model runs). Reports the database size per passage and how it divides between
the vector BLOBs, the passage text and the rest (rows, the FTS5 index, documents).
Writes bench/results/store_size.json.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from bench.common import DEFAULT_DATA, require_data, write_results
from bench.ray_ingest import fnc1_bodies
from embeddings.sqlite_store import SQLiteStore
from qa.ingest import build_document
from qa.near_duplicates import signature
from qa.readers import RawDocument

DIM = 384


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    bodies = fnc1_bodies(require_data(args.data / "nli" / "pairs.jsonl.gz"), args.articles)
    rng = np.random.default_rng(0)
    documents = passages = text_bytes = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "factcheck.sqlite3"
        store = SQLiteStore(path)
        for body in bodies:
            doc = build_document(RawDocument(body))
            if store.doc_id_for_hash(doc.content_hash):  # bodies that differ only in whitespace
                continue
            vectors = rng.standard_normal((len(doc.passages), DIM)).astype(np.float32)
            with store.transaction():
                store.add_document(doc, doc.doc_id, signature(doc.text), vectors)
            documents += 1
            passages += len(doc.passages)
            text_bytes += sum(len(p.text.encode()) for p in doc.passages)
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        size = sum(f.stat().st_size for f in Path(tmp).iterdir())
    per = size / passages
    write_results("store_size", {
        "command": f"python -m bench.store_size --articles {args.articles}",
        "corpus": f"{documents} distinct FNC-1 article bodies, {passages} passages",
        "bytes_per_passage": round(per), "vector_bytes": DIM * 4,
        "passage_text_bytes_mean": round(text_bytes / passages),
        "other_bytes_per_passage": round(per - DIM * 4 - text_bytes / passages),
        "other_is": "the article's full text in documents, the FTS5 index, row and page overhead",
        "gb_per_million_passages": round(per * 1e6 / 1e9, 2)})


if __name__ == "__main__":
    main()
