"""The open protocol on Check-COVID dev: the service as a user meets it, over its HTTP API.

    python -m bench.open_protocol [--data ../shared/data] [--limit N] [--baseline-model DIR]

1. Upload every Check-COVID abstract (297, the train and dev claims' abstracts) through
   `POST /v1/documents`, one abstract per document, its title as the title.
2. Ask each distinct dev claim text that has a SUPPORT or REFUTE label through `POST /v1/check`
   (gold: that label). Report accuracy with the evidence present, and how often a gold evidence
   sentence of the answering abstract is among the cited passages (supporting + conflicting).
3. `DELETE /v1/documents/<id>` the answering abstracts of the texts that also have a NOTENOUGHINFO
   row (its abstract, on topic but without the answer, stays), then ask those texts again (gold:
   not_enough_info). Report the not_enough_info rate with the evidence removed.
3-class macro-F1 and accuracy are over all answers of steps 2 and 3 ("disputed" counts as wrong);
also the share of true claims answered *refuted*. With --baseline-model the same protocol runs again
with that stance model (e.g. the previous export) in the same run. Writes bench/results/open_protocol.json.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from api import create_app
from bench.check_covid import GOLD, LABELS, load
from bench.common import DEFAULT_DATA, classification_report, require_data, run_at_commit, write_results
from qa import evidence_model
from qa.evidence_model import MODEL_FILE
from qa.service import FactChecker
from qa.settings import Settings
from qa.stance import MODEL_DIR, StanceModel


def upload(client, corpus: list[dict]) -> dict[str, str]:
    """cord_id -> doc_id of every abstract the API accepted."""
    ids = {}
    for row in tqdm(corpus, desc="upload", unit="doc"):
        response = client.post("/v1/documents", json={"text": " ".join(row["abstract"]), "title": row["title"]})
        if response.status_code in (200, 201):
            ids[row["cord_id"]] = response.get_json()["doc_id"]
    return ids


def evidence_spans(client, doc_id: str, row: dict, corpus_by_id: dict[str, dict]) -> list[tuple[int, int]]:
    """Character spans, in the stored text, of the gold evidence sentences of a claim."""
    text = client.get(f"/v1/documents/{doc_id}").get_json()["text"]
    sentences = corpus_by_id[row["cord_id"]]["abstract"]
    spans = []
    for evidence in row["evidence_set"]:
        if evidence["sent_index"] < len(sentences):
            sentence = " ".join(sentences[evidence["sent_index"]].split())
            start = text.find(sentence)
            if start >= 0:
                spans.append((start, start + len(sentence)))
    return spans


def cites(answer: dict, doc_id: str, spans: list[tuple[int, int]]) -> bool:
    return any(p["source"]["doc_id"] == doc_id and any(p["start"] < end and start < p["end"] for start, end in spans)
               for p in answer["supporting"] + answer["conflicting"])


def run_variant(name: str, settings: Settings, corpus: list[dict], claims: list[dict], stance: StanceModel,
                limit: int | None) -> dict:
    checker = FactChecker(settings, stance=stance)
    app = create_app(settings, checker=checker)
    client = app.test_client()
    doc_ids = upload(client, corpus)
    corpus_by_id = {row["cord_id"]: row for row in corpus}
    by_text: dict[str, list[dict]] = {}
    for row in claims:
        by_text.setdefault(row["claim"].strip(), []).append(row)
    answered = [(text, next(r for r in rows if r["label"] != "NOTENOUGHINFO")) for text, rows in by_text.items()
                if any(r["label"] != "NOTENOUGHINFO" for r in rows) and rows[0]["cord_id"]]
    answered = [(t, r) for t, r in answered if r["cord_id"] in doc_ids][:limit]
    gold, predicted, cited, rows_out = [], [], 0, []
    for text, row in tqdm(answered, desc=f"{name}: ask", unit="claim"):
        answer = client.post("/v1/check", json={"question": text}).get_json()
        doc_id = doc_ids[row["cord_id"]]
        hit = cites(answer, doc_id, evidence_spans(client, doc_id, row, corpus_by_id))
        cited += hit
        gold.append(GOLD[row["label"]])
        predicted.append(answer["verdict"])
        rows_out.append({"claim": text, "gold": gold[-1], "verdict": answer["verdict"], "cited": hit})
    with_nei = [(t, r) for t, r in answered if any(x["label"] == "NOTENOUGHINFO" for x in by_text[t])]
    for cord_id in sorted({r["cord_id"] for _, r in with_nei}):
        client.delete(f"/v1/documents/{doc_ids[cord_id]}")
    removed_nei = 0
    for text, _ in tqdm(with_nei, desc=f"{name}: ask again", unit="claim"):
        answer = client.post("/v1/check", json={"question": text}).get_json()
        removed_nei += answer["verdict"] == "not_enough_info"
        gold.append("not_enough_info")
        predicted.append(answer["verdict"])
        rows_out.append({"claim": text, "gold": "not_enough_info", "verdict": answer["verdict"], "removed": True})
    checker.close()
    n = len(answered)
    true_claims = [p for g, p in zip(gold[:n], predicted[:n]) if g == "supported"]
    report = classification_report(gold, predicted, LABELS)
    return {
        "stance_model": str(stance.model_dir),
        "macro_f1": report["macro_f1"], "accuracy": report["accuracy"],
        "accuracy_with_evidence": round(sum(g == p for g, p in zip(gold[:n], predicted[:n])) / max(n, 1), 4),
        "not_enough_info_with_evidence_removed": round(removed_nei / max(len(with_nei), 1), 4),
        "answering_sentence_cited": round(cited / max(n, 1), 4),
        "true_claims_answered_refuted": round(sum(p == "refuted" for p in true_claims) / max(len(true_claims), 1), 4),
        "not_enough_info_with_evidence": round(sum(p == "not_enough_info" for p in predicted[:n]) / max(n, 1), 4),
        "claims_with_evidence": n, "claims_evidence_removed": len(with_nei), "report": report, "answers": rows_out,
    }


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--baseline-model", type=Path, default=None, help="a stance model export to compare with")
    parser.add_argument("--baseline-evidence-model", type=Path, default=None,
                        help="the evidence model fitted for the baseline stance model (default: the committed one)")
    parser.add_argument("--baseline-commit", default=None,
                        help="also run this bench on the code of a git commit (the read path before a change)")


def model_runs(args: argparse.Namespace) -> Iterator[tuple[str, Settings, StanceModel, Path]]:
    """The shipped stance model, then (with --baseline-model) the baseline: each with its evidence model in
    force and an empty data dir of its own. The committed evidence model is back in force at the end."""
    runs = {"shipped": (MODEL_DIR, MODEL_FILE)}
    if args.baseline_model:
        runs["baseline"] = (args.baseline_model, args.baseline_evidence_model or MODEL_FILE)
    try:
        for name, (model_dir, fitted) in runs.items():
            evidence_model.fitted_model.cache_clear()
            evidence_model.MODEL_FILE = fitted  # what fitted_model() reads
            with tempfile.TemporaryDirectory() as tmp:
                yield name, Settings(data_dir=Path(tmp), rate_limit=0), StanceModel(model_dir), fitted
    finally:
        evidence_model.MODEL_FILE = MODEL_FILE
        evidence_model.fitted_model.cache_clear()


def commit_run(args: argparse.Namespace, module: str, arguments: list[str]) -> dict:
    """With --baseline-commit: this bench's "shipped" run on that commit's code, else {}."""
    if not args.baseline_commit:
        return {}
    found = run_at_commit(args.baseline_commit, module, ["--data", str(args.data.resolve()), *arguments],
                          module.split(".")[-1])
    return {f"commit {args.baseline_commit}": found["runs"]["shipped"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="ask at most N claims (a quick look)")
    add_model_arguments(parser)
    parser.add_argument("--name", default="open_protocol")
    args = parser.parse_args()
    corpus, claims = load(require_data(args.data), "dev")
    results = {}
    for name, settings, stance, fitted in model_runs(args):
        results[name] = run_variant(name, settings, corpus, claims, stance, args.limit)
        results[name]["evidence_model"] = str(fitted)
        summary = {k: v for k, v in results[name].items() if k not in ("report", "answers")}
        print(name, json.dumps(summary))
    results.update(commit_run(args, "bench.open_protocol", ["--limit", str(args.limit)] if args.limit else []))
    write_results(args.name, {"protocol": "Check-COVID dev, open: 297 abstracts uploaded, each distinct "
                                          "SUPPORT/REFUTE claim text asked, then its NOTENOUGHINFO twins asked "
                                          "again with the answering abstracts deleted", "runs": results})


if __name__ == "__main__":
    main()
