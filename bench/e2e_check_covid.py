"""End-to-end evaluation on Check-COVID: ingest its 297 abstracts, ask every claim of a split.

    python -m bench.e2e_check_covid [--data ../shared/data] [--split dev|train] [--limit N] [--model DIR]

Reports verdict accuracy and macro-F1 (a "disputed" answer counts as wrong), the expected
calibration error of `confidence`, check latency, and gold-evidence recall@5 / recall@20 / MRR
(a passage overlapping a gold evidence sentence of the gold abstract). Each retrieval lever is
measured alone against the baseline in the same run, and the verdict against the pre-issue rule
(strongest passage per side, one threshold, dispute ratio). The verdict parameters are the
committed qa/verdict_params.json (fitted on train by bench.fit_verdict; never on dev).
Writes bench/results/e2e_check_covid_<split>[-<model>].json.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
from pathlib import Path

from tqdm import tqdm

from bench.check_covid import (GOLD, LABELS, CachedStance, expected_calibration, first_hit, gold_evidence,
                               ingest_corpus, load, ranking_metrics, text_only_ceiling)
from bench.common import DEFAULT_DATA, classification_report, require_data, write_results
from qa.documents import Evidence
from qa.grounding import claim_entities, is_grounded
from qa.retrieval import Fusion, fuse
from qa.service import FactChecker
from qa.settings import Settings
from qa.stance import MODEL_DIR
from qa.verdict import decide, sides

DEPTH = 40
FUSIONS = {"baseline: dense+lexical RRF 1:1, depth 40": Fusion(), "dense only": Fusion(1.0, 0.0),
           "lexical only": Fusion(0.0, 1.0), "fusion 2:1 (dense heavier)": Fusion(2.0, 1.0),
           "fusion 1:2 (lexical heavier)": Fusion(1.0, 2.0), "depth: each ranking read 3x deeper": Fusion(pool=3)}
RERANK = 20  # stance-model rerank of the first RERANK fused passages


def legacy_label(evidence: list[Evidence], min_coverage: float) -> str:
    """The rule before this issue: one threshold 0.5, strongest passage per side, disputed when
    the weaker side reaches 0.6 of the stronger."""
    counted = [e for e in evidence if e.coverage >= min_coverage]
    s = max((e.scores.supports for e in counted if e.scores.stance == "supports" and e.scores.supports >= 0.5), default=0)
    r = max((e.scores.refutes for e in counted if e.scores.stance == "refutes" and e.scores.refutes >= 0.5), default=0)
    if not s and not r:
        return "not_enough_info"
    if min(s, r) >= 0.6 * max(s, r):
        return "disputed"
    return "supported" if s > r else "refuted"


def retrieval_ranks(checker: FactChecker, claim: str, entities: set[str], gold: tuple) -> dict[str, int | None]:
    """First gold hit rank under each retrieval lever, from one dense and one lexical search."""
    query = checker.encoder.encode_query(claim)
    dense, lexical = checker.index.search(query, DEPTH * 3), checker.store.lexical_search(claim, DEPTH * 3)
    located = lambda ids: [(p.doc_id, p.start, p.end) for p in map(checker.store.passages_by_ids(ids).get, ids)]
    ranks = {}
    for name, fusion in FUSIONS.items():
        pool = DEPTH * fusion.pool
        ranks[name] = first_hit(located(fuse(dense[:pool], lexical[:pool], DEPTH, fusion)), gold)
    base = fuse(dense[:DEPTH], lexical[:DEPTH], DEPTH)
    passages = checker.store.passages_by_ids(base)
    grounded = [i for i in base if is_grounded(entities, checker.store.document_text(passages[i].doc_id))]
    ranks["entity expansion: documents naming the claim's entities first"] = first_hit(
        located(grounded + [i for i in base if i not in grounded]), gold)
    scores = checker.stance.judge(claim, [passages[i].text for i in base[:RERANK]])
    order = sorted(range(len(scores)), key=lambda n: -max(scores[n].supports, scores[n].refutes))
    ranks[f"rerank: first {RERANK} by stance-model max(supports, refutes)"] = first_hit(
        located([base[n] for n in order] + base[RERANK:]), gold)
    return ranks


def run(checker: FactChecker, claims: list[dict], spans: dict) -> dict:
    gold, predicted, legacy, context, confidences, latencies, ranks = [], [], [], [], [], [], []
    seen: set[str] = set()
    for row in tqdm(claims, desc="claims", unit="claim"):
        result = checker.check(row["claim"])
        if row["claim"] not in seen:  # a repeated text hits the stance cache: not a fair latency
            latencies.append(result.took_ms)
        seen.add(row["claim"])
        gold.append(GOLD[row["label"]])
        predicted.append(result.verdict)
        confidences.append(result.confidence)
        entities = claim_entities(row["claim"])
        evidence = checker.evidence(result.claim, entities)
        legacy.append(legacy_label(evidence, checker.settings.min_coverage))
        wider = checker.evidence(result.claim, entities, context=1)
        context.append(decide(*sides(wider, checker.settings.min_coverage)).label)
        target = gold_evidence(row, spans)
        if target:
            hit = first_hit([(e.passage.doc_id, e.passage.start, e.passage.end) for e in evidence], target)
            ranks.append({"service: judged evidence, best first": hit,
                          **retrieval_ranks(checker, result.claim, entities, target)})
    report = classification_report(gold, predicted, LABELS)
    report["predicted_disputed"] = predicted.count("disputed")
    report["confidence_ece"] = expected_calibration(confidences, [g == p for g, p in zip(gold, predicted)])
    levers = {name: ranking_metrics([r[name] for r in ranks]) for name in ranks[0]} if ranks else {}
    summary = lambda labels: {k: v for k, v in classification_report(gold, labels, LABELS).items() if k != "per_class"}
    return {"verdict": report, "verdict_baseline_pre_issue_rule": summary(legacy),
            "verdict_lever_judge_with_neighbour_passages": summary(context), "retrieval_levers": levers,
            "check_ms_p50": round(statistics.median(latencies), 1), "check_ms_mean": round(statistics.mean(latencies), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--limit", type=int, default=0, help="a seeded random sample of N claims (0 = all)")
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="a stance model folder (default: the committed one)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="a data dir to keep the ingested abstracts in between runs (default: a temporary one)")
    args = parser.parse_args()
    corpus, claims = load(require_data(args.data), args.split)
    claims = random.Random(0).sample(claims, args.limit) if args.limit and args.limit < len(claims) else claims
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        checker = FactChecker(Settings.from_env(data_dir=work), stance=CachedStance(args.model))
        spans = ingest_corpus(checker, corpus)
        measured = run(checker, claims, spans)
    results = {"dataset": f"check-covid {args.split}", "model": str(args.model), "claims": len(claims),
               "documents": len(corpus), "verdict_params": json.loads((Path("qa") / "verdict_params.json").read_text()),
               "settings": {"min_coverage": checker.settings.min_coverage, "candidates": checker.settings.candidates},
               "same_text_two_labels": text_only_ceiling(claims), **measured}
    print(json.dumps({k: v for k, v in results.items() if k not in ("verdict", "verdict_params")}, indent=2))
    print(f"verdict accuracy {measured['verdict']['accuracy']} macro-F1 {measured['verdict']['macro_f1']}")
    suffix = "" if args.model.resolve() == MODEL_DIR else f"-{args.model.name}"
    write_results(f"e2e_check_covid_{args.split}{suffix}", results)


if __name__ == "__main__":
    main()
