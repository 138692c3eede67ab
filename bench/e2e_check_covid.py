"""End-to-end evaluation on Check-COVID dev: ingest its abstracts, ask every claim.

    python -m bench.e2e_check_covid [--data ../shared/data] [--split dev|train] [--limit N]

Reports verdict accuracy and macro-F1 (gold SUPPORT/REFUTE/NOTENOUGHINFO vs supported/refuted/
not_enough_info; a "disputed" answer counts as wrong), and gold-evidence recall@5: the share of
SUPPORT/REFUTE claims for which one of the first five retrieved passages overlaps a gold evidence
sentence of the gold abstract. Also sweeps the verdict settings (stance threshold, claim
coverage) over the same judged evidence. Writes bench/results/e2e_check_covid_<split>.json.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

from tqdm import tqdm

from bench.common import DEFAULT_DATA, classification_report, require_data, write_results
from qa.errors import IngestError
from qa.grounding import claim_entities
from qa.readers import RawDocument
from qa.retrieval import retrieve
from qa.service import FactChecker
from qa.settings import Settings
from qa.verdict import decide, sides

GOLD = {"SUPPORT": "supported", "REFUTE": "refuted", "NOTENOUGHINFO": "not_enough_info"}
LABELS = ("supported", "refuted", "not_enough_info")


SWEEP = [(threshold, coverage) for threshold in (0.4, 0.5, 0.6) for coverage in (0.0, 0.3, 0.5, 0.7)]


def load(data: Path, split: str) -> tuple[list[dict], list[dict]]:
    folder = data / "eval" / "check-covid"
    corpus = [json.loads(line) for line in (folder / "corpus.json").read_text().splitlines() if line.strip()]
    claims = [json.loads(line) for line in
              (folder / f"covidCheck_{split}_composed+extracted.json").read_text().splitlines() if line.strip()]
    return corpus, claims


def ingest_corpus(checker: FactChecker, corpus: list[dict]) -> dict[str, tuple[str, list[tuple[int, int]]]]:
    """cord_id -> (doc_id, character span of each abstract sentence in the cleaned text)."""
    spans = {}
    with checker.bulk():
        for row in tqdm(corpus, desc="ingest", unit="doc"):
            try:
                outcome = checker.add_document(RawDocument(" ".join(row["abstract"]), title=row["title"],
                                                           path=row["cord_id"]))
            except IngestError as exc:
                print(f"skipped {exc.detail}")
                continue
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
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--limit", type=int, default=0, help="a seeded random sample of N claims (0 = all)")
    args = parser.parse_args()
    corpus, claims = load(require_data(args.data), args.split)
    claims = random.Random(0).sample(claims, args.limit) if args.limit and args.limit < len(claims) else claims
    with tempfile.TemporaryDirectory() as tmp:
        checker = FactChecker(Settings.from_env(data_dir=Path(tmp)))
        spans = ingest_corpus(checker, corpus)
        gold, predicted, hits, with_evidence, latencies = [], [], 0, 0, []
        swept: dict[tuple[float, float], list[str]] = {setting: [] for setting in SWEEP}
        for row in tqdm(claims, desc="claims", unit="claim"):
            result = checker.check(row["claim"])
            latencies.append(result.took_ms)
            gold.append(GOLD[row["label"]])
            predicted.append(result.verdict)
            evidence = checker.evidence(result.claim, claim_entities(row["claim"]), min_coverage=0.0)
            for threshold, coverage in SWEEP:
                swept[(threshold, coverage)].append(decide(*sides(evidence, threshold, coverage)).label)
            if row["label"] != "NOTENOUGHINFO" and row["cord_id"] in spans:
                with_evidence += 1
                doc_id, sentence_spans = spans[row["cord_id"]]
                gold_spans = [sentence_spans[e["sent_index"]] for e in row["evidence_set"]
                              if e["sent_index"] < len(sentence_spans)]
                top = retrieve(result.claim, checker.encoder, checker.index, checker.store, 5)
                found = checker.store.passages_by_ids([i for i, _ in top])
                hits += evidence_hit([(p.doc_id, p.start, p.end) for p in found.values()], doc_id, gold_spans)
    report = classification_report(gold, predicted, LABELS)
    report["predicted_disputed"] = predicted.count("disputed")
    sweep = [{"stance_threshold": t, "min_coverage": c,
              **{k: v for k, v in classification_report(gold, labels, LABELS).items() if k != "per_class"}}
             for (t, c), labels in swept.items()]
    results = {"dataset": f"check-covid {args.split}", "settings": {"stance_threshold": checker.settings.stance_threshold,
               "min_coverage": checker.settings.min_coverage, "candidates": checker.settings.candidates}, "claims": len(claims), "documents": len(corpus), "verdict": report,
               "evidence_recall_at_5": round(hits / max(with_evidence, 1), 4),
               "claims_with_evidence": with_evidence,
               "check_ms_mean": round(sum(latencies) / len(latencies), 1), "sweep": sweep}
    print(json.dumps({k: v for k, v in results.items() if k not in ("verdict", "sweep")}, indent=2))
    for row in sweep:
        print(row)
    print(f"verdict accuracy {report['accuracy']} macro-F1 {report['macro_f1']}")
    write_results(f"e2e_check_covid_{args.split}", results)


if __name__ == "__main__":
    main()
