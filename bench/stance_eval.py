"""Evaluate a stance model against a baseline in one run: held-out splits, extra held-out sets,
HealthVer zero-shot, on-topic and unrelated neutrals (false refutations), claim-only behaviour, throughput.

    python -m bench.stance_eval [--data ../shared/data] [--limit N] [--model DIR] [--baseline DIR]

Writes bench/results/stance.json (the committed model) or stance-<DIR name>.json (a candidate); with
`--baseline` the same measurements of the baseline model sit under "baseline" in the same file.
Label mapping: entailment/agree/Supports -> supports, contradiction/disagree/Refutes -> refutes,
neutral/discuss/Neutral -> neutral. For two-way sets (FEVER-symmetric, Perspectrum) neutral
predictions count as errors.
"""
from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

import numpy as np

from bench.common import DEFAULT_DATA, classification_report, require_data, write_results
from qa.stance import LABELS, MODEL_DIR, StanceModel
from qa.stance_calibration import calibration_error
from qa.stance_text import split_sentences
from training.data import discuss_sentence_rows, extra_held_out_rows, held_out_rows, read_jsonl, to_pair

THROUGHPUT_PAIRS = 640
EXTRA_LIMIT = 3000  # per extra held-out set (IMPPRES alone has 17k template pairs)

Triple = tuple[str, str, str]  # (claim, passage, gold stance)


def evaluate(model: StanceModel, pairs: list[Triple]) -> dict:
    """Classification report plus the top-label calibration error (ECE, 15 bins)."""
    scores = model.score_pairs([(c, p) for c, p, _ in pairs])
    report = classification_report([g for _, _, g in pairs], [s.stance for s in scores], LABELS)
    probs = np.array([[getattr(s, label) for label in LABELS] for s in scores])
    report["ece"] = calibration_error(probs, np.array([LABELS.index(g) for _, _, g in pairs]))
    return report


def false_refute_rate(model: StanceModel, pairs: list[Triple]) -> dict:
    """Share of on-topic neutral passages the model calls refuting (argmax, and P(refutes) >= 0.5)."""
    scores = model.score_pairs([(c, p) for c, p, _ in pairs])
    return {"n": len(pairs), "false_refute_rate": round(float(np.mean([s.stance == "refutes" for s in scores])), 4),
            "p_refutes_at_least_0.5": round(float(np.mean([s.refutes >= 0.5 for s in scores])), 4),
            "false_support_rate": round(float(np.mean([s.stance == "supports" for s in scores])), 4)}


def triples(rows: list[dict], excerpt: bool = True) -> list[Triple]:
    return [(p.hypothesis, p.premise, LABELS[p.label]) for p in (to_pair(r, excerpt) for r in rows)]


def healthver(data: Path, split: str) -> list[Triple]:
    """HealthVer dev or test pairs; never trained on (dev only picks among candidate models)."""
    mapping = {"Supports": "supports", "Refutes": "refutes", "Neutral": "neutral"}
    with open(data / "eval" / "healthver" / f"healthver_{split}.csv", newline="", encoding="utf-8") as handle:
        return [(r["claim"], r["evidence"], mapping[r["label"]]) for r in csv.DictReader(handle)]


def covid_context_neutrals(data: Path) -> list[Triple]:
    """Check-COVID dev claims against the sentences of their cited abstract that are not evidence."""
    folder = data / "eval" / "check-covid"
    abstracts = {r["cord_id"]: r["abstract"] for r in read_jsonl(folder / "corpus.json")}
    out = []
    for row in read_jsonl(folder / "covidCheck_dev_composed+extracted.json"):
        cited = {e["sent_index"] for e in row["evidence_set"]}
        out += [(row["claim"].strip(), s, "neutral") for i, s in enumerate(abstracts[row["cord_id"]]) if i not in cited]
    return out


def news_topic_neutrals(rows: list[dict], rng: random.Random) -> list[Triple]:
    """FNC-1 test articles that only discuss their headline: body sentences sharing at least two of
    the headline's content words (its entities and topic) without deciding it."""
    return [(r["hypothesis"], r["premise"], "neutral") for r in discuss_sentence_rows(rows, rng, "fnc1-test-discuss")]


def unrelated(claims: list[str], premises_of: dict[str, list[str]], own: dict[str, set[str]], rng: random.Random,
              ) -> list[Triple]:
    """Each claim against one random sentence of a document not its own: gold neutral (an unrelated
    premise neither supports nor refutes)."""
    documents = sorted(premises_of)
    out = []
    for claim in claims:
        for _ in range(10):
            doc = rng.choice(documents)
            if doc not in own.get(claim, set()) and premises_of[doc]:
                out.append((claim, rng.choice(premises_of[doc]), "neutral"))
                break
    return out


def unrelated_sets(data: Path, rows: dict[str, list[dict]], rng: random.Random) -> dict[str, list[Triple]]:
    """Claims with unrelated premises from the held-out side of three domains: FNC-1 competition-test
    headlines x sentences of other test bodies, MNLI dev_mismatched hypotheses x other premises,
    Check-COVID dev claims x sentences of other abstracts."""
    fnc1 = rows["fnc1-train/competition_test"]
    bodies = {r["premise"]: split_sentences(r["premise"]) for r in fnc1}
    own_bodies: dict[str, set[str]] = {}
    for r in fnc1:
        own_bodies.setdefault(r["hypothesis"], set()).add(r["premise"])
    mnli = rows["mnli/dev_mismatched"]
    own_premise = {r["hypothesis"]: {r["premise"]} for r in mnli}
    folder = data / "eval" / "check-covid"
    abstracts = {r["cord_id"]: r["abstract"] for r in read_jsonl(folder / "corpus.json")}
    covid = read_jsonl(folder / "covidCheck_dev_composed+extracted.json")
    return {
        "fnc1_test_headlines_x_other_bodies": unrelated(sorted(own_bodies), bodies, own_bodies, rng),
        "mnli_dev_mismatched_x_other_premises": unrelated(sorted(own_premise),
                                                          {r["premise"]: [r["premise"]] for r in mnli},
                                                          own_premise, rng),
        "check_covid_dev_x_other_abstracts": unrelated(sorted({r["claim"].strip() for r in covid}), abstracts,
                                                       {r["claim"].strip(): {r["cord_id"]} for r in covid}, rng),
    }


def claim_only(model: StanceModel, pairs: list[Triple]) -> dict:
    """The claim with an empty passage: how often the model still takes a side (it should not), and its
    accuracy against the gold label (what the claim's wording alone predicts)."""
    scores = model.score_pairs([(c, "") for c, _, _ in pairs])
    correct = [s.stance == gold for s, (_, _, gold) in zip(scores, pairs, strict=True)]
    return {"n": len(pairs), "accuracy": round(float(np.mean(correct)), 4),
            "takes_a_side": round(float(np.mean([s.stance != "neutral" for s in scores])), 4)}


def throughput(model: StanceModel, pairs: list[Triple]) -> dict:
    """Pairs per second at batch 32 on sentence-length passages (MNLI premises), after a warm-up."""
    sample = [(c, p) for c, p, _ in pairs if len(p) < 300][:THROUGHPUT_PAIRS]
    model.score_pairs(sample[:64])
    started = time.perf_counter()
    model.score_pairs(sample)
    seconds = time.perf_counter() - started
    return {"pairs": len(sample), "seconds": round(seconds, 2), "pairs_per_second": round(len(sample) / seconds, 1),
            "batch_size": model.batch_size, "threads": model.threads}


def sample(pairs: list[Triple], limit: int, rng: random.Random) -> list[Triple]:
    return rng.sample(pairs, limit) if limit and len(pairs) > limit else pairs


def evaluation_sets(data: Path, limit: int) -> dict[str, dict[str, list[Triple]]]:
    """Every set, drawn once so candidate and baseline see the same pairs."""
    rng = random.Random(0)
    rows = held_out_rows(data / "nli")
    fnc1 = rows["fnc1-train/competition_test"]
    return {
        "splits": {name: sample(triples(split), limit, rng) for name, split in rows.items()},
        "extra_held_out": {name: sample(triples(split), limit or EXTRA_LIMIT, rng)
                           for name, split in sorted(extra_held_out_rows(data / "nli").items())},
        "ablations": {"fnc1_first_600_chars": sample([(c, p[:600], g) for c, p, g in triples(fnc1, excerpt=False)],
                                                     limit, rng)},
        "healthver_zero_shot": {split: healthver(data, split) for split in ("dev", "test")},
        "on_topic_neutrals": {"check_covid_dev_context": sample(covid_context_neutrals(data), limit, rng),
                              "fnc1_test_discuss_sentences": sample(news_topic_neutrals(fnc1, rng), limit, rng)},
        "unrelated_premises": {name: sample(pairs, limit, rng)
                               for name, pairs in unrelated_sets(data, rows, rng).items()},
        "claim_only": {name: sample(triples(rows[name]), limit, rng)
                       for name in ("mnli/dev_mismatched", "fnc1-train/competition_test", "snli/test")},
    }


def measure(model: StanceModel, sets: dict[str, dict[str, list[Triple]]]) -> dict:
    results: dict = {}
    for group, named in sets.items():
        scorer = {"on_topic_neutrals": false_refute_rate, "unrelated_premises": false_refute_rate,
                  "claim_only": claim_only}.get(group, evaluate)
        results[group] = {}
        for name, pairs in named.items():
            results[group][name] = scorer(model, pairs)
            headline = {k: v for k, v in results[group][name].items() if k != "per_class"}
            print(f"{model.model_dir.name} {group}/{name}: {headline}", flush=True)
    results["throughput"] = throughput(model, sets["splits"]["mnli/dev_mismatched"])
    print(f"throughput: {results['throughput']['pairs_per_second']} pairs/s")
    results["refutation"] = refutation_summary(results)
    print(f"refutation: {results['refutation']}")
    return results


def refutation_summary(results: dict) -> dict:
    """Abstention next to what it costs: false refutations on on-topic neutrals beside refute recall
    and precision where refutations are real (FNC-1 "disagree", HealthVer "Refutes")."""
    where = {"fnc1_competition_test": results["splits"]["fnc1-train/competition_test"],
             "healthver_test": results["healthver_zero_shot"]["test"]}
    neutral_sets = {**results["on_topic_neutrals"], **results["unrelated_premises"]}
    return {**{f"false_refute_rate/{name}": r["false_refute_rate"] for name, r in neutral_sets.items()},
            **{f"refute_{metric}/{name}": r["per_class"]["refutes"][metric]
               for name, r in where.items() for metric in ("recall", "precision")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="evaluate at most N pairs per set (0 = all)")
    parser.add_argument("--model", type=Path, default=MODEL_DIR,
                        help="an exported model folder (default: the committed one)")
    parser.add_argument("--baseline", type=Path, default=None, help="a model to measure in the same run")
    args = parser.parse_args()
    data = require_data(args.data)
    sets = evaluation_sets(data, args.limit)
    results = {"model": str(args.model), **measure(StanceModel(args.model), sets)}
    if args.baseline:
        results["baseline"] = {"model": str(args.baseline), **measure(StanceModel(args.baseline), sets)}
    write_results("stance" if args.model.resolve() == MODEL_DIR else f"stance-{args.model.name}", results)


if __name__ == "__main__":
    main()
