"""Shared by the Check-COVID benches: load a split, ingest its abstracts once, find gold evidence,
and a stance model that remembers the (claim, passage) pairs it has already scored in this run.

Check-COVID (Wang et al., 2023): 297 CORD-19 abstracts; claims labelled SUPPORT / REFUTE /
NOTENOUGHINFO against one abstract, with the sentence indices of the evidence. The corpus holds the
abstracts of both the train and the dev claims.
"""
from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.documents import StanceScores
from qa.errors import IngestError
from qa.readers import RawDocument
from qa.service import FactChecker
from qa.stance import StanceModel

GOLD = {"SUPPORT": "supported", "REFUTE": "refuted", "NOTENOUGHINFO": "not_enough_info",
        "SUPPORTED": "supported", "REFUTED": "refuted"}
LABELS = ("supported", "refuted", "not_enough_info")
Spans = dict[str, tuple[str, list[tuple[int, int]]]]


class CachedStance(StanceModel):
    """A StanceModel that scores each distinct (claim, passage) pair once per run."""

    def __init__(self, model_dir: Path, threads: int = 2, cache_file: Path | None = None) -> None:
        super().__init__(model_dir, threads=threads)
        self.cache_file = cache_file
        self.cache_key = cache_file.stem.rsplit("-", 1)[-1] if cache_file else "run"
        self.cache: dict[tuple[str, str], StanceScores] = {}
        if cache_file and cache_file.exists():
            self.cache = pickle.loads(cache_file.read_bytes())

    def save(self) -> None:
        """Keep the scores for the next run over the same work dir (one file per model)."""
        if self.cache_file:
            self.cache_file.write_bytes(pickle.dumps(self.cache))

    def score_pairs(self, pairs: list[tuple[str, str]], progress=None) -> list[StanceScores]:
        todo = list(dict.fromkeys(p for p in pairs if p not in self.cache))
        self.cache.update(zip(todo, super().score_pairs(todo, progress)))
        return [self.cache[p] for p in pairs]


def load(data: Path, split: str) -> tuple[list[dict], list[dict]]:
    folder = data / "eval" / "check-covid"
    corpus = [json.loads(line) for line in (folder / "corpus.json").read_text().splitlines() if line.strip()]
    claims = [json.loads(line) for line in
              (folder / f"covidCheck_{split}_composed+extracted.json").read_text().splitlines() if line.strip()]
    return corpus, claims


def load_covidfact(data: Path) -> list[dict]:
    path = data / "eval" / "covidfact" / "COVIDFACT_dataset.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def ingest_corpus(checker: FactChecker, corpus: list[dict]) -> Spans:
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


def gold_evidence(row: dict, spans: Spans) -> tuple[str, list[tuple[int, int]]] | None:
    """The gold abstract's doc id and evidence sentence spans of a SUPPORT/REFUTE claim, else None."""
    if row["label"] == "NOTENOUGHINFO" or row["cord_id"] not in spans:
        return None
    doc_id, sentence_spans = spans[row["cord_id"]]
    gold = [sentence_spans[e["sent_index"]] for e in row["evidence_set"] if e["sent_index"] < len(sentence_spans)]
    return doc_id, [g for g in gold if g[0] >= 0]


def first_hit(passages: list[tuple[str, int, int]], gold: tuple[str, list[tuple[int, int]]]) -> int | None:
    """1-based rank of the first passage overlapping a gold evidence sentence, or None."""
    doc_id, spans = gold
    for rank, (doc, start, end) in enumerate(passages, 1):
        if doc == doc_id and any(start < g_end and g_start < end for g_start, g_end in spans):
            return rank
    return None


def ranking_metrics(ranks: list[int | None]) -> dict:
    """recall@5, recall@20 and MRR (within the list) over claims with gold evidence."""
    n = max(len(ranks), 1)
    return {"recall_at_5": round(sum(r is not None and r <= 5 for r in ranks) / n, 4),
            "recall_at_20": round(sum(r is not None and r <= 20 for r in ranks) / n, 4),
            "mrr": round(sum(1 / r for r in ranks if r is not None) / n, 4), "claims": len(ranks)}


def text_only_ceiling(claims: list[dict]) -> dict:
    """How many claims share their exact text with a claim of another label (one answer per text)."""
    labels: dict[str, set[str]] = {}
    for row in claims:
        labels.setdefault(row["claim"].strip(), set()).add(row["label"])
    shared = sum(len(labels[row["claim"].strip()]) > 1 for row in claims)
    return {"claims_whose_text_has_two_gold_labels": shared, "claims": len(claims)}


def expected_calibration(confidences: list[float], correct: list[bool], bins: int = 10) -> float:
    """ECE of a verdict confidence: |accuracy - mean confidence| over equal-width bins, weighted."""
    conf, ok = np.array(confidences), np.array(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (conf > lo) & (conf <= hi) if lo else (conf >= lo) & (conf <= hi)
        if mask.any():
            ece += mask.mean() * abs(ok[mask].mean() - conf[mask].mean())
    return round(float(ece), 4)


def stance_for(model_dir: Path, workdir: Path | None) -> CachedStance:
    """A cached stance model; with a kept work dir its scores persist there, keyed by the model's weights."""
    if workdir is None:
        return CachedStance(model_dir)
    weights = sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("calibration.json"))
    digest = hashlib.sha256(b"".join(w.read_bytes() for w in weights)).hexdigest()[:16]
    workdir.mkdir(parents=True, exist_ok=True)
    return CachedStance(model_dir, cache_file=workdir / f"stance-cache-{digest}.pkl")
