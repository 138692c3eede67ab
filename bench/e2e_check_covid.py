"""End-to-end evaluation on Check-COVID: ingest its 297 abstracts, ask every claim of a split.

    python -m bench.e2e_check_covid [--data ../shared/data] [--split dev|train] [--limit N] [--levers N]
                                    [--model DIR] [--workdir DIR]

Reports verdict accuracy and macro-F1 (a "disputed" answer counts as wrong), the expected
calibration error of `confidence`, check latency, and gold-evidence recall@5 / recall@20 / MRR
(a passage overlapping a gold evidence sentence of the gold abstract). Each retrieval lever is
measured alone against the baseline in the same run, and the verdict against the pre-issue rule
(strongest passage per side, one threshold, dispute ratio). The verdict parameters are the
committed qa/evidence_model.json (fitted on train by bench.fit_verdict; never on dev).
Writes bench/results/e2e_check_covid_<split>[-<model>].json.
"""
from __future__ import annotations

import argparse
import json
import pickle
import random
import statistics
import tempfile
from functools import partial
from pathlib import Path

from tqdm import tqdm

from bench.check_covid import (
    GOLD,
    LABELS,
    expected_calibration,
    first_hit,
    gold_evidence,
    ingest_corpus,
    load,
    ranking_metrics,
    stance_for,
    text_only_ceiling,
)
from bench.common import DEFAULT_DATA, classification_report, require_data, write_results
from qa.documents import Evidence
from qa.evidence_model import MODEL_FILE
from qa.grounding import claim_entities, is_grounded
from qa.retrieval import Fusion, fuse
from qa.service import FactChecker
from qa.settings import Settings
from qa.stance import MODEL_DIR
from qa.verdict import decide

DEPTH = 40
FUSIONS = {"baseline: dense+lexical RRF 1:1, depth 40": Fusion(), "dense only": Fusion(1.0, 0.0),
           "lexical only": Fusion(0.0, 1.0), "fusion 2:1 (dense heavier)": Fusion(2.0, 1.0),
           "fusion 1:2 (lexical heavier)": Fusion(1.0, 2.0), "fusion 1:3 (lexical heavier)": Fusion(1.0, 3.0),
           "depth: each ranking read 3x deeper": Fusion(pool=3)}
RERANK = 20  # stance-model rerank of the first RERANK fused passages


def legacy_label(evidence: list[Evidence], min_coverage: float = 0.5) -> str:
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


def locate(checker: FactChecker, ids: list[int]) -> list[tuple[str, int, int]]:
    found = checker.store.passages_by_ids(ids)
    return [(found[i].doc_id, found[i].start, found[i].end) for i in ids]


def by_document(fused: list[int], checker: FactChecker) -> list[int]:
    """Reorder passages: documents by the summed RRF score of their passages, then fused order."""
    passages = checker.store.passages_by_ids(fused)
    score: dict[str, float] = {}
    for rank, i in enumerate(fused):
        score[passages[i].doc_id] = score.get(passages[i].doc_id, 0.0) + 1.0 / (60 + rank + 1)
    return sorted(fused, key=lambda i: (-score[passages[i].doc_id], fused.index(i)))


def retrieval_ranks(checker: FactChecker, claim: str, entities: set[str], gold: tuple,
                    rerank: bool) -> dict[str, int | None]:
    """First gold hit rank under each retrieval lever, from one dense and one lexical search."""
    query = checker.encoder.encode_query(claim)
    dense, lexical = checker.index.search(query, DEPTH * 3), checker.store.lexical_search(claim, DEPTH * 3)
    located = partial(locate, checker)
    ranks = {}
    for name, fusion in FUSIONS.items():
        pool = DEPTH * fusion.pool
        ranks[name] = first_hit(located(fuse(dense[:pool], lexical[:pool], DEPTH, fusion)), gold)
    base = fuse(dense[:DEPTH], lexical[:DEPTH], DEPTH)
    ranks["document score: passages of the documents with most fused hits first"] = first_hit(
        located(by_document(base, checker)), gold)
    passages = checker.store.passages_by_ids(base)
    documents = checker.store.documents_by_ids([p.doc_id for p in passages.values()])
    grounded = [i for i in base if is_grounded(entities, documents[passages[i].doc_id].text)]
    ranks["entity expansion: documents naming the claim's entities first"] = first_hit(
        located(grounded + [i for i in base if i not in grounded]), gold)
    if not rerank:
        return ranks
    scores = checker.stance.judge(claim, [passages[i].text for i in base[:RERANK]])
    order = sorted(range(len(scores)), key=lambda n: -max(scores[n].supports, scores[n].refutes))
    ranks[f"rerank: first {RERANK} by stance-model max(supports, refutes)"] = first_hit(
        located([base[n] for n in order] + base[RERANK:]), gold)
    return ranks


def retrieval_only(checker: FactChecker, claims: list[dict], spans: dict) -> dict:
    """The cheap retrieval levers alone (no stance model): what choosing fusion weights on train needs."""
    ranks = [retrieval_ranks(checker, row["claim"], claim_entities(row["claim"]), target, rerank=False)
             for row in tqdm(claims, desc="retrieval", unit="claim") if (target := gold_evidence(row, spans))]
    return {"retrieval_levers": {name: ranking_metrics([r[name] for r in ranks]) for name in ranks[0]}}


def collect(checker: FactChecker, claims: list[dict], spans: dict, lever_claims: set[str]) -> list[dict]:
    """Ask every claim; keep its judged evidence so verdicts can be recomputed under other parameters.
    The costly levers (stance rerank, neighbour context) run only for the `lever_claims` ids."""
    records, seen = [], set()
    for row in tqdm(claims, desc="claims", unit="claim"):
        result = checker.check(row["claim"])  # timed: a repeated text hits the stance cache, so not timed again
        entities, costly = claim_entities(row["claim"]), row["id"] in lever_claims
        record = {"gold": GOLD[row["label"]], "took_ms": None if row["claim"] in seen else result.took_ms,
                  "evidence": checker.evidence(result.claim, entities),
                  "wider": checker.evidence(result.claim, entities, context=1) if costly else None}
        seen.add(row["claim"])
        target = gold_evidence(row, spans)
        if target:
            hit = first_hit([(e.passage.doc_id, e.passage.start, e.passage.end) for e in record["evidence"]], target)
            record["ranks"] = {"service: judged evidence, best first": hit,
                               **retrieval_ranks(checker, result.claim, entities, target, rerank=costly)}
        records.append(record)
        if len(records) % 25 == 0:
            checker.stance.save()  # a killed run loses little
    return records


def summary(gold: list[str], labels: list[str]) -> dict:
    return {k: v for k, v in classification_report(gold, labels, LABELS).items() if k != "per_class"}


def summarise(records: list[dict]) -> dict:
    """Verdict metrics, the pre-issue rule, the context lever, retrieval levers, latency."""
    gold = [r["gold"] for r in records]
    verdicts = [decide(r["evidence"]) for r in records]
    predicted = [v.label for v in verdicts]
    report = classification_report(gold, predicted, LABELS)
    report["predicted_disputed"] = predicted.count("disputed")
    report["confidence_ece"] = expected_calibration([v.confidence for v in verdicts],
                                                    [g == p for g, p in zip(gold, predicted)])
    ranks = [r["ranks"] for r in records if "ranks" in r]
    names = dict.fromkeys(name for r in ranks for name in r)
    wide = [(r["gold"], p, decide(r["wider"]).label)
            for r, p in zip(records, predicted) if r["wider"] is not None]
    latencies = [r["took_ms"] for r in records if r["took_ms"] is not None]
    measured = {"verdict": report,
                "verdict_baseline_pre_issue_rule": summary(gold, [legacy_label(r["evidence"]) for r in records])}
    if wide:  # the context lever ran (--levers > 0)
        measured["verdict_lever_judge_with_neighbour_passages"] = {
            "claims": len(wide), "passage alone (shipped)": summary([g for g, _, _ in wide], [p for _, p, _ in wide]),
            "with one neighbouring passage on each side": summary([g for g, _, _ in wide], [c for _, _, c in wide])}
    return {**measured,
            "retrieval_levers": {name: ranking_metrics([r[name] for r in ranks if name in r]) for name in names},
            "check_ms_p50": round(statistics.median(latencies), 1), "check_ms_mean": round(statistics.mean(latencies), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--limit", type=int, default=0, help="a seeded random sample of N claims (0 = all)")
    parser.add_argument("--retrieval-only", action="store_true", help="only the retrieval levers (no stance model)")
    parser.add_argument("--reuse", action="store_true",
                        help="recompute the verdicts from the judged evidence a previous run kept in --workdir "
                             "(after refitting qa/evidence_model.json)")
    parser.add_argument("--tag", default="", help="appended to the results file name (e.g. for a settings variant)")
    parser.add_argument("--levers", type=int, default=60,
                        help="claims (seeded sample) on which the costly levers are measured: stance rerank, context")
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="a stance model folder (default: the committed one)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="a data dir to keep the ingested abstracts in between runs (default: a temporary one)")
    args = parser.parse_args()
    corpus, claims = load(require_data(args.data), args.split)
    claims = random.Random(0).sample(claims, args.limit) if args.limit and args.limit < len(claims) else claims
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        checker = FactChecker(Settings.from_env(data_dir=work), stance=stance_for(args.model, args.workdir))
        spans = ingest_corpus(checker, corpus)
        cases = work / f"e2e-cases-{args.split}-{len(claims)}-{checker.stance.cache_key}.pkl"
        if args.retrieval_only:
            measured = retrieval_only(checker, claims, spans)
        elif args.reuse and cases.exists():
            measured = summarise(pickle.loads(cases.read_bytes()))
        else:
            sample = random.Random(1).sample(claims, min(args.levers, len(claims)))
            records = collect(checker, claims, spans, {row["id"] for row in sample})
            checker.stance.save()
            cases.write_bytes(pickle.dumps(records))
            measured = summarise(records)
    results = {"dataset": f"check-covid {args.split}", "model": str(args.model), "claims": len(claims),
               "documents": len(corpus), "evidence_model": json.loads(MODEL_FILE.read_text())["fitted_on"],
               "settings": {"min_coverage": checker.settings.min_coverage, "candidates": checker.settings.candidates},
               "same_text_two_labels": text_only_ceiling(claims), **measured}
    print(json.dumps({k: v for k, v in results.items() if k not in ("verdict", "evidence_model")}, indent=2))
    if "verdict" in measured:
        print(f"verdict accuracy {measured['verdict']['accuracy']} macro-F1 {measured['verdict']['macro_f1']}")
    suffix = ("" if args.model.resolve() == MODEL_DIR else f"-{args.model.name}") + \
        ("_retrieval" if args.retrieval_only else "") + (f"_{args.tag}" if args.tag else "")
    write_results(f"e2e_check_covid_{args.split}{suffix}", results)


if __name__ == "__main__":
    main()
