"""The shared store: PostgreSQL, so API replicas on several hosts use one set of documents.

`FACTCHECK_STORE_URL=postgresql://user:password@host:5432/database` chooses it. The tables and the
statements are those of the SQLite store (embeddings/sql_store.py); the lexical index is a generated
`tsvector` column with a GIN index. PostgreSQL's own ranks (`ts_rank`, `ts_rank_cd`) know no inverse
document frequency and found the evidence sentence for 7 points fewer claims than SQLite's BM25
(`python -m bench.postgres_lexical`), so the store keeps each lexeme's passage count (`lexemes`, and
the totals in `lexicon`) in the same write transactions and ranks the matching passages by BM25 with
FTS5's constants (k1 = 1.2, b = 0.75). A search is one GIN lookup per query word; a passage's length
is its number of distinct lexemes. The GIN index is built without a pending list (fastupdate off):
writes pay a little, searches never scan unmerged entries.

The schema is created or migrated at start under an advisory lock, so replicas starting together do
not race; each migration runs once, in order, and the version reached is recorded in `schema_version`.
"""
from __future__ import annotations

from collections.abc import Iterable

import psycopg

from embeddings.postgres_connections import PostgresConnections
from embeddings.sql_store import SQLStore
from embeddings.sqlite_store import query_words

SCHEMA_LOCK = 0x66616375  # the advisory lock held while the schema is created or migrated
TEXT_SEARCH_CONFIG = "english"
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's
# A lexeme's count in a passage (tf), read from ts_rank: for a one-lexeme query, weights all 1 and no
# normalisation, ts_rank = H(tf) / (pi^2 / 6) with H(n) = sum of 1/i^2 for i = 1..n (tsrank.c, calc_rank_or).
# The tail pi^2/6 - H(n) lies strictly between 1/(n + 1) and 1/n, so floor(1 / tail) = n. A C call per hit,
# where unnesting the tsvector costs five times more (tests/test_postgres_store.py checks it against unnest).
TERM_COUNT = "floor(1 / (pi() ^ 2 / 6 * (1 - ts_rank('{1,1,1,1}', p.words, terms.query, 0))))"
BM25_SEARCH = f"""
    WITH totals AS (SELECT passages, greatest(length, 1)::float8 / greatest(passages, 1) AS mean FROM lexicon),
    terms AS MATERIALIZED (
        SELECT quote_literal(word)::tsquery AS query,
               ln(1 + (totals.passages - lexemes.passages + 0.5) / (lexemes.passages + 0.5)) AS idf
        FROM lexemes, totals
        WHERE word = ANY(tsvector_to_array(to_tsvector('{TEXT_SEARCH_CONFIG}', %(words)s)))),
    hits AS (
        SELECT p.id, length(p.words) AS length, terms.idf, {TERM_COUNT} AS tf
        FROM terms JOIN passages p ON p.words @@ terms.query)
    SELECT hits.id, sum(hits.idf * hits.tf * (%(k1)s + 1)
                        / (hits.tf + %(k1)s * (1 - %(b)s + %(b)s * hits.length / totals.mean))) AS score
    FROM hits CROSS JOIN totals
    GROUP BY hits.id ORDER BY score DESC, hits.id LIMIT %(k)s
"""
MIGRATIONS = [  # MIGRATIONS[n] takes the schema from version n to n + 1; never edit one that shipped
    f"""
    CREATE TABLE documents (
        doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, date TEXT, url TEXT, path TEXT,
        text TEXT NOT NULL, content_hash TEXT NOT NULL UNIQUE, story_id TEXT NOT NULL, signature BYTEA NOT NULL,
        created_at TEXT NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'));
    CREATE INDEX documents_story ON documents(story_id);
    CREATE TABLE passages (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, pid TEXT NOT NULL UNIQUE,
        doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, vector BYTEA NOT NULL,
        words TSVECTOR GENERATED ALWAYS AS (to_tsvector('{TEXT_SEARCH_CONFIG}', text)) STORED);
    CREATE INDEX passages_doc ON passages(doc_id);
    CREATE INDEX passages_words ON passages USING GIN (words) WITH (fastupdate = off);
    CREATE TABLE generation (one INTEGER PRIMARY KEY CHECK (one = 1), value BIGINT NOT NULL);
    INSERT INTO generation (one, value) VALUES (1, 0);
    CREATE TABLE passage_log (generation BIGINT NOT NULL, id BIGINT NOT NULL);
    CREATE INDEX passage_log_generation ON passage_log(generation);
    CREATE TABLE lexemes (word TEXT PRIMARY KEY, passages BIGINT NOT NULL);
    CREATE TABLE lexicon (one INTEGER PRIMARY KEY CHECK (one = 1), passages BIGINT NOT NULL, length BIGINT NOT NULL);
    INSERT INTO lexicon (one, passages, length) VALUES (1, 0, 0);
    """,
]


def migrate(conn: psycopg.Connection) -> None:
    """Bring the schema to the latest version, one replica at a time (the others wait, then find it done)."""
    conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        version = row[0] if row else 0
        if version > len(MIGRATIONS):
            raise psycopg.DataError(f"the database has schema version {version}, newer than this factcheck "
                                    f"({len(MIGRATIONS)}): upgrade factcheck")
        for number in range(version, len(MIGRATIONS)):
            with conn.transaction():
                conn.execute(MIGRATIONS[number])
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number + 1,))
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


class PostgresStore(SQLStore):
    def __init__(self, url: str) -> None:
        super().__init__()
        self._sql = PostgresConnections(url, migrate)
        self.transaction = self._sql.transaction
        self.snapshot = self._sql.snapshot

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        return self._sql.query(sql.replace("?", "%s"), tuple(params))

    def _execute(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        cursor = self._sql.writer().execute(sql.replace("?", "%s"), tuple(params))
        return cursor.fetchall() if cursor.description else []

    def _execute_many(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            self._sql.writer().cursor().executemany(sql.replace("?", "%s"), rows)

    def _transactions(self) -> int:
        return self._sql.transactions

    def _index_texts(self, ids: list[int], texts: list[str]) -> None:
        self._count_lexemes(ids, +1)

    def _unindex(self, ids: list[int]) -> None:
        self._count_lexemes(ids, -1)

    def _count_lexemes(self, ids: list[int], sign: int) -> None:
        """Add (+1) or remove (-1) the passages `ids` from the lexeme counts BM25 needs."""
        if not ids:
            return
        self._execute("INSERT INTO lexemes (word, passages) SELECT word, %s * count(*)"
                      " FROM passages, unnest(tsvector_to_array(words)) AS word WHERE id = ANY(%s) GROUP BY word"
                      " ON CONFLICT (word) DO UPDATE SET passages = lexemes.passages + EXCLUDED.passages",
                      (sign, ids))
        self._execute("UPDATE lexicon SET passages = passages + %s * cardinality(%s::bigint[]),"
                      " length = length + %s * (SELECT coalesce(sum(length(words)), 0) FROM passages"
                      " WHERE id = ANY(%s))", (sign, ids, sign, ids))
        if sign < 0:
            self._execute("DELETE FROM lexemes WHERE passages <= 0")

    def lexical_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """BM25 over passage text; any query word may match (OR), best first."""
        words = " ".join(query_words(query))
        if not words:
            return []
        rows = self._sql.query(BM25_SEARCH, {"words": words, "k1": BM25_K1, "b": BM25_B, "k": k})
        return [(r[0], float(r[1])) for r in rows]

    def close(self) -> None:
        self._sql.close()
