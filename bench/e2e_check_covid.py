"""End-to-end evaluation on Check-COVID dev: ingest its abstracts, ask every claim.

    python -m bench.e2e_check_covid [--data ../shared/data] [--limit N]

Reports verdict accuracy and macro-F1 (gold SUPPORT/REFUTE/NOTENOUGHINFO vs supported/refuted/
not_enough_info; a "disputed" answer counts as wrong), and gold-evidence recall@5: the share of
SUPPORT/REFUTE claims for which one of the first five retrieved passages overlaps a gold evidence
sentence of the gold abstract. Writes bench/results/e2e_check_covid.json.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

from bench.common import DEFAULT_DATA, classification_report, require_data, write_results
from qa.readers import RawDocument
from qa.retrieval import retrieve
from qa.service import FactChecker
from qa.settings import Settings

GOLD = {"SUPPORT": "supported", "REFUTE": "refuted", "NOTENOUGHINFO": "not_enough_info"}


def load(data: Path) -> tuple[list[dict], list[dict]]:
    folder = data / "eval" / "check-covid"
    corpus = [json.loads(line) for line in (folder / "corpus.json").read_text().splitlines() if line.strip()]
    claims = [json.loads(line) for line in
              (folder / "covidCheck_dev_composed+extracted.json").read_text().splitlines() if line.strip()]
    return corpus, claims


def ingest_corpus(checker: FactChecker, corpus: list[dict]) -> dict[str, tuple[str, list[tuple[int, int]]]]:
    """cord_id -> (doc_id, character span of each abstract sentence in the cleaned text)."""
    spans = {}
    for row in tqdm(corpus, desc="ingest", unit="doc"):
        outcome = checker.add_document(RawDocument(" ".join(row["abstract"]), title=row["title"], path=row["cord_id"]))
        text, cursor, sentence_spans = checker.document(outcome.doc_id).text, 0, []
        for sentence in row["abstract"]:
            start = text.find(" ".join(sentence.split()), cursor)
            sentence_spans.append((start, start + len(sentence)) if start >= 0 else (-1, -1))
            cursor = max(cursor, start)
        spans[row["cord_id"]] = (outcome.doc_id, sentence_spans)
    return spans


def evidence_hit(passages: list[tuple[str, int, int]], gold_doc: str, gold_spans: list[tuple[int, int]]) -> bool:
    return any(doc == gold_doc and start < g_end and g_start < end
               for doc, start, end in passages for g_start, g_end in gold_spans if g_start >= 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    corpus, claims = load(require_data(args.data))
    claims = claims[:args.limit] if args.limit else claims
    with tempfile.TemporaryDirectory() as tmp:
        checker = FactChecker(Settings(data_dir=Path(tmp)))
        spans = ingest_corpus(checker, corpus)
        gold, predicted, hits, with_evidence, latencies = [], [], 0, 0, []
        for row in tqdm(claims, desc="claims", unit="claim"):
            result = checker.check(row["claim"])
            latencies.append(result.took_ms)
            gold.append(GOLD[row["label"]])
            predicted.append(result.verdict)
            if row["label"] != "NOTENOUGHINFO" and row["cord_id"] in spans:
                with_evidence += 1
                doc_id, sentence_spans = spans[row["cord_id"]]
                gold_spans = [sentence_spans[e["sent_index"]] for e in row["evidence_set"]
                              if e["sent_index"] < len(sentence_spans)]
                top = retrieve(result.claim, checker.encoder, checker.index, checker.store, 5)
                found = checker.store.passages_by_ids([i for i, _ in top])
                hits += evidence_hit([(p.doc_id, p.start, p.end) for p in found.values()], doc_id, gold_spans)
    report = classification_report(gold, predicted, ("supported", "refuted", "not_enough_info"))
    report["predicted_disputed"] = predicted.count("disputed")
    results = {"dataset": "check-covid dev", "claims": len(claims), "documents": len(corpus), "verdict": report,
               "evidence_recall_at_5": round(hits / max(with_evidence, 1), 4),
               "claims_with_evidence": with_evidence,
               "check_ms_mean": round(sum(latencies) / len(latencies), 1)}
    print(json.dumps({k: v for k, v in results.items() if k != "verdict"}, indent=2))
    print(f"verdict accuracy {report['accuracy']} macro-F1 {report['macro_f1']}")
    write_results("e2e_check_covid", results)


if __name__ == "__main__":
    main()
