"""`factcheck ingest` of the FNC-1 bodies, the whole command (start-up included), against plain
sentence-transformers encoding the same passages.

    python -m bench.ingest_cli [--data ../shared/data] [--articles N]

Writes the FNC-1 article bodies the service accepts as .jsonl files of 100 articles, runs
`factcheck ingest DIR --data-dir TMP` as a subprocess and times it from launch to exit. The baseline,
in the same run: `SentenceTransformer.encode` (fp32, batch 64, the same thread count) of exactly the
passages the ingest stored. Writes bench/results/ingest_cli.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import DEFAULT_DATA, REPO, require_data, write_results
from bench.corpus import fnc1_articles
from bench.scale import FILE_ARTICLES, ingestible, plain_baseline
from qa.settings import Settings


def stored_passages(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "factcheck.sqlite3") as db:
        return [text for (text,) in db.execute("SELECT text FROM passages ORDER BY rowid")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=0, help="ingest only the first N articles (0: all)")
    args = parser.parse_args()
    articles = ingestible(fnc1_articles(require_data(args.data) / "nli"))
    bodies = list(articles.items())[:args.articles or None]
    with tempfile.TemporaryDirectory() as tmp:
        corpus, data_dir = Path(tmp) / "fnc1", Path(tmp) / "data"
        corpus.mkdir()
        lines = [json.dumps({"text": body, "title": heads[0]}) + "\n" for body, heads in bodies]
        for n in range(0, len(lines), FILE_ARTICLES):
            (corpus / f"{n:05d}.jsonl").write_text("".join(lines[n:n + FILE_ARTICLES]))
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "api.cli", "ingest", str(corpus), "--data-dir", str(data_dir)],
                              cwd=REPO, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(f"factcheck ingest failed:\n{done.stderr[-2000:]}")
        passages = stored_passages(data_dir)
    threads = Settings().threads
    ingest = {"documents": len(bodies), "passages": len(passages), "seconds": round(seconds, 1),
              "passages_per_second": round(len(passages) / seconds, 1), "summary_line": done.stdout.strip()[-200:]}
    plain = plain_baseline(passages, threads, batch_size=64)
    results = {"command": f"factcheck ingest <{len(bodies)} FNC-1 bodies as .jsonl files of {FILE_ARTICLES}>",
               "ingest_whole_cli": ingest, "plain_sentence_transformers_fp32_batch64": plain,
               "speedup_vs_plain": round(ingest["passages_per_second"] / plain["passages_per_second"], 2),
               "load_average_at_end": os.getloadavg()}
    print(json.dumps(results, indent=2))
    write_results("ingest_cli", results)


if __name__ == "__main__":
    main()
