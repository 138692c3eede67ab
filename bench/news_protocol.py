"""The news protocol on FNC-1: headlines asked over a corpus of news articles, through the HTTP API.

    python -m bench.news_protocol [--data ../shared/data] [--limit 400] [--baseline-model DIR]

1. Upload every FNC-1 competition-test article body that some headline was written against (agree,
   disagree or discuss; the "unrelated" rows name no body of their own) through `POST /v1/documents`.
2. Ask each headline (a seeded sample of --limit) through `POST /v1/check`. Its gold comes from the
   stances of the bodies written about it: only "agree" bodies take a side -> supported, only
   "disagree" -> refuted, both -> disputed, only "discuss" -> not_enough_info.
3. `DELETE /v1/documents/<id>` every body that takes a stance on an asked headline, then ask the
   headlines that had one again (gold: not_enough_info): the rest of the corpus discusses them at most.
Reports 4-class macro-F1 and accuracy over steps 2 and 3, accuracy in step 2, the not_enough_info rate
in step 3, and the share of true headlines (gold supported) answered *refuted*. With --baseline-model
the same protocol runs again with that stance model in the same run. Writes
bench/results/news_protocol.json.
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from tqdm import tqdm

from api import create_app
from bench.common import DEFAULT_DATA, classification_report, require_data, write_results
from bench.open_protocol import add_model_arguments, commit_run, model_runs
from qa.service import FactChecker
from qa.settings import Settings
from qa.stance import StanceModel
from training.data import read_jsonl

SPLIT = "fnc1-train/competition_test"
VERDICTS = ("supported", "refuted", "disputed", "not_enough_info")


def headline_stances(nli_dir: Path, split: str = SPLIT) -> dict[str, dict[str, str]]:
    """headline -> {body: its stance (agree / disagree / discuss)}."""
    stance = {"entailment": "agree", "contradiction": "disagree", "neutral": "discuss"}
    headlines: dict[str, dict[str, str]] = {}
    for row in read_jsonl(nli_dir / "pairs.jsonl.gz"):
        if row["source"] == split:
            headlines.setdefault(row["hypothesis"], {})[row["premise"]] = stance[row["label"]]
    return headlines


def gold_of(stances: dict[str, str]) -> str:
    sides = set(stances.values()) - {"discuss"}
    return {frozenset({"agree"}): "supported", frozenset({"disagree"}): "refuted",
            frozenset({"agree", "disagree"}): "disputed"}.get(frozenset(sides), "not_enough_info")


def run_variant(name: str, settings: Settings, headlines: dict[str, dict[str, str]], asked: list[str],
                stance: StanceModel) -> dict:
    checker = FactChecker(settings, stance=stance)
    client = create_app(settings, checker=checker).test_client()
    bodies = sorted({body for stances in headlines.values() for body in stances})
    doc_ids = {}
    for body in tqdm(bodies, desc=f"{name}: upload", unit="doc"):
        response = client.post("/v1/documents", json={"text": body})
        if response.status_code in (200, 201):
            doc_ids[body] = response.get_json()["doc_id"]
    gold, predicted, rows = [], [], []

    def ask(headline: str, expected: str, phase: str) -> None:
        answer = client.post("/v1/check", json={"question": headline}).get_json()
        gold.append(expected)
        predicted.append(answer.get("verdict", f"error {answer.get('status')}"))
        rows.append({"headline": headline, "gold": expected, "verdict": predicted[-1], "phase": phase})

    for headline in tqdm(asked, desc=f"{name}: ask", unit="headline"):
        ask(headline, gold_of(headlines[headline]), "bodies present")
    first = len(gold)
    taking_sides = {body for h in asked for body, s in headlines[h].items() if s != "discuss"}
    for body in taking_sides & set(doc_ids):
        client.delete(f"/v1/documents/{doc_ids[body]}")
    again = [h for h in asked if gold_of(headlines[h]) != "not_enough_info"]
    for headline in tqdm(again, desc=f"{name}: ask again", unit="headline"):
        ask(headline, "not_enough_info", "stance-taking bodies deleted")
    checker.close()
    report = classification_report(gold, predicted, VERDICTS)
    true = [p for g, p in zip(gold[:first], predicted[:first]) if g == "supported"]
    return {
        "stance_model": str(stance.model_dir), "macro_f1": report["macro_f1"], "accuracy": report["accuracy"],
        "accuracy_with_bodies": round(sum(g == p for g, p in zip(gold[:first], predicted[:first])) / max(first, 1), 4),
        "not_enough_info_with_bodies_deleted": round(
            sum(p == "not_enough_info" for p in predicted[first:]) / max(len(again), 1), 4),
        "true_headlines_answered_refuted": round(sum(p == "refuted" for p in true) / max(len(true), 1), 4),
        "headlines": first, "asked_again": len(again), "documents": len(doc_ids), "report": report, "answers": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=400, help="headlines asked (seeded sample; 0: all)")
    add_model_arguments(parser)
    parser.add_argument("--name", default="news_protocol")
    args = parser.parse_args()
    headlines = headline_stances(require_data(args.data / "nli"))
    asked = sorted(headlines)
    if args.limit:
        asked = sorted(random.Random(5).sample(asked, min(args.limit, len(asked))))
    results = {}
    for name, settings, stance, fitted in model_runs(args):
        results[name] = run_variant(name, settings, headlines, asked, stance)
        results[name]["evidence_model"] = str(fitted)
        print(name, json.dumps({k: v for k, v in results[name].items() if k not in ("report", "answers")}))
    results.update(commit_run(args, "bench.news_protocol", ["--limit", str(args.limit)]))
    gold_counts = {v: sum(gold_of(headlines[h]) == v for h in asked) for v in VERDICTS}
    write_results(args.name, {"protocol": "FNC-1 competition test: the bodies uploaded, headlines asked (gold from "
                                          "their bodies' stances), then asked again with the stance-taking bodies "
                                          "deleted", "gold_counts": gold_counts, "runs": results})


if __name__ == "__main__":
    main()
