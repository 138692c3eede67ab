"""Which PostgreSQL full-text rank replaces SQLite's BM25: evidence-sentence recall of lexical search alone
on the Check-COVID dev claims, both stores holding the same passages, in one run.

    python -m bench.postgres_lexical [--data ../shared/data]

The Check-COVID corpus (297 abstracts) is ingested once into SQLite; the same documents and vectors
are then stored in PostgreSQL (a throwaway server, bench/postgres_server.py). For every SUPPORT/REFUTE
dev claim, lexical search returns 20 passages; a claim counts when one of them overlaps a gold evidence
sentence. SQLite's FTS5 BM25 is the baseline; PostgreSQL's own ranks (ts_rank and ts_rank_cd with their
length normalisations) and the store's BM25 over its lexeme counts (what ships) are scored over the
same query words.
Writes bench/results/postgres_lexical.json.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.check_covid import first_hit, gold_evidence, ingest_corpus, load, ranking_metrics
from bench.common import DEFAULT_DATA, require_data, write_results
from bench.postgres_server import temporary_server
from embeddings.postgres_store import TEXT_SEARCH_CONFIG, PostgresStore
from embeddings.sqlite_store import query_words
from qa.service import FactChecker
from qa.settings import Settings

K = 20
RANKS = {f"ts_rank, normalization {n}": f"ts_rank(words, query, {n})" for n in (0, 1, 2, 8, 32)}
RANKS |= {f"ts_rank_cd, normalization {n}": f"ts_rank_cd(words, query, {n})" for n in (0, 1, 2)}


def ranked(store: PostgresStore, rank: str, claim: str) -> list[int]:
    words = query_words(claim)
    if not words:
        return []
    rows = store._sql.query(f"SELECT id FROM passages, to_tsquery('{TEXT_SEARCH_CONFIG}', %s) AS query"
                            f" WHERE words @@ query ORDER BY {rank} DESC, id LIMIT %s", (" | ".join(words), K))
    return [r[0] for r in rows]


def recall(store, claims: list[tuple[str, tuple]], search) -> dict:
    ranks, started = [], time.perf_counter()
    for claim, gold in claims:
        ids = search(claim)
        passages = store.passages_by_ids(ids)
        located = [(passages[i].doc_id, passages[i].start, passages[i].end) for i in ids]
        ranks.append(first_hit(located, gold))
    return {**ranking_metrics(ranks), "ms_per_query": round(1000 * (time.perf_counter() - started) / len(claims), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    corpus, rows = load(require_data(args.data), "dev")
    with tempfile.TemporaryDirectory() as tmp, temporary_server(durable=True) as server:
        sqlite = FactChecker(Settings(data_dir=Path(tmp) / "sqlite"))
        spans = ingest_corpus(sqlite, corpus)
        postgres = FactChecker(Settings(data_dir=Path(tmp) / "postgres", store_url=server.create_database("bench")),
                               encoder=sqlite.encoder, stance=sqlite.stance)
        ids, matrix = sqlite.store.all_vectors()
        passages = sqlite.store.passages_by_ids(ids)
        vector_of = {passages[i].id: vector for i, vector in zip(ids, matrix)}
        with postgres.bulk():
            for listed in sqlite.list_documents():  # same documents, same vectors, same order
                doc = sqlite.document(listed["doc_id"])
                assert doc is not None
                postgres.add_embedded(doc, np.stack([vector_of[p.id] for p in doc.passages]))
        assert postgres.store.passage_count() == sqlite.store.passage_count()
        claims = list({row["claim"]: gold for row in rows if (gold := gold_evidence(row, spans))}.items())
        store = postgres.store
        assert isinstance(store, PostgresStore)
        results = {"sqlite fts5 bm25 (baseline)": recall(sqlite.store, claims,
                                                         lambda c: [i for i, _ in sqlite.store.lexical_search(c, K)])}
        for name, rank in RANKS.items():
            results[f"postgres {name}"] = recall(store, claims, lambda c, rank=rank: ranked(store, rank, c))
        results["postgres shipped (PostgresStore.lexical_search)"] = recall(
            store, claims, lambda c: [i for i, _ in store.lexical_search(c, K)])
        passage_count = store.passage_count()
        sqlite.close()
        postgres.close()
    for name, scores in results.items():
        print(f"{name:45s} recall@5 {scores['recall_at_5']:.3f}  recall@20 {scores['recall_at_20']:.3f}  "
              f"MRR {scores['mrr']:.3f}  {scores['ms_per_query']} ms")
    write_results("postgres_lexical", {
        "protocol": f"Check-COVID dev SUPPORT/REFUTE claims (distinct texts) over the whole Check-COVID corpus; "
                    f"lexical search alone, top {K}; a hit overlaps a gold evidence sentence",
        "shipped_rank": "BM25 over the lexeme counts the store keeps (PostgresStore.lexical_search)",
        "claims": len(claims),
        "passages": passage_count, "results": results})


if __name__ == "__main__":
    main()
