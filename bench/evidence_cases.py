"""Judged candidate evidence of Check-COVID claims, kept so read-path variants can be measured offline.

    python -m bench.evidence_cases [--data ../shared/data] [--split train|dev] [--limit N] [--depth 48]
                                   [--model DIR] --workdir DIR

For each distinct claim text with a SUPPORT or REFUTE label: the fused retrieval (dense + BM25) to
`depth` passages over all 297 abstracts, each candidate with its cosine relevance, coverage of the
claim's words, entity grounding of its document, whether it is a gold evidence sentence, and its
stance scores judged after its document's title (as the service judges it). The candidates of the answering
abstract can be dropped afterwards to simulate its deletion (the open protocol's second step).
Writes <workdir>/evidence-cases-<split>-<model digest>.pkl; the stance scores are cached in the
work dir too, so a rerun costs only what changed.
"""
from __future__ import annotations

import argparse
import pickle
import random
import tempfile
from pathlib import Path

from tqdm import tqdm

from bench.check_covid import GOLD, gold_evidence, ingest_corpus, load, stance_for
from bench.common import DEFAULT_DATA, require_data
from qa.errors import IngestError
from qa.evidence_model import titled
from qa.grounding import claim_coverage, claim_entities, is_grounded
from qa.readers import RawDocument
from qa.retrieval import retrieve
from qa.service import FactChecker
from qa.settings import Settings
from qa.stance import MODEL_DIR


def candidates(checker: FactChecker, claim: str, depth: int) -> list[dict]:
    """The service's fused retrieval to `depth`, each passage with what the evidence model reads of it."""
    hits = retrieve(claim, checker.encoder, checker.index, checker.store, depth)
    passages = checker.store.passages_by_ids([h.id for h in hits])
    documents = checker.store.documents_by_ids([p.doc_id for p in passages.values()])
    entities = claim_entities(claim)
    out = []
    for rank, hit in enumerate(hits):
        p = passages[hit.id]
        doc = documents[p.doc_id]
        out.append({"id": hit.id, "doc_id": p.doc_id, "start": p.start, "end": p.end, "text": p.text,
                    "title": doc.source.title or "", "rank": rank, "relevance": hit.relevance,
                    "dense_rank": hit.dense_rank, "lexical_rank": hit.lexical_rank,
                    "coverage": claim_coverage(claim, p.text), "grounded": is_grounded(entities, doc.text)})
    return out


def collect(checker: FactChecker, claims: list[dict], spans: dict, depth: int) -> list[dict]:
    by_text: dict[str, list[dict]] = {}
    for row in claims:
        by_text.setdefault(row["claim"].strip(), []).append(row)
    cases = []
    for text, rows in tqdm(by_text.items(), desc="claims", unit="claim"):
        answered = next((r for r in rows if r["label"] != "NOTENOUGHINFO"), None)
        target = gold_evidence(answered, spans) if answered else None
        if target is None:
            continue
        found = candidates(checker, text, depth)
        doc_id, gold_spans = target
        for c in found:
            c["gold_doc"] = c["doc_id"] == doc_id
            c["gold_sentence"] = c["gold_doc"] and any(c["start"] < e and s < c["end"] for s, e in gold_spans)
        for c, scores in zip(found, checker.stance.score_pairs([(text, titled(c["title"], c["text"])) for c in found])):
            c["titled"] = scores
        cases.append({"claim": text, "gold": GOLD[answered["label"]], "gold_doc": doc_id,
                      "has_nei_twin": any(r["label"] == "NOTENOUGHINFO" for r in rows), "candidates": found})
        if len(cases) % 50 == 0:
            checker.stance.save()
    return cases


def news_cases(checker: FactChecker, headlines: dict[str, dict[str, str]], asked: list[str], depth: int) -> list[dict]:
    """Headlines (FNC-1 train) asked over their article bodies, as cases without sentence labels: the gold
    comes from the stances of a headline's bodies (bench.news_protocol.gold_of), and its stance-taking
    bodies are its "answering documents" (dropped for the not_enough_info variant)."""
    from bench.news_protocol import gold_of

    doc_ids = {}
    with checker.bulk():
        for body in tqdm(sorted({b for h in asked for b in headlines[h]}), desc="ingest", unit="doc"):
            try:
                doc_ids[body] = checker.add_document(RawDocument(body)).doc_id
            except IngestError:
                continue
    cases = []
    for headline in tqdm(asked, desc="headlines", unit="headline"):
        found = candidates(checker, headline, depth)
        answering = {doc_ids.get(b) for b, stance in headlines[headline].items() if stance != "discuss"}
        for c in found:
            c["gold_doc"], c["gold_sentence"] = c["doc_id"] in answering, None
        for c, scores in zip(found, checker.stance.score_pairs([(headline, titled(c["title"], c["text"]))
                                                                  for c in found])):
            c["titled"] = scores
        gold = gold_of(headlines[headline])
        cases.append({"claim": headline, "gold": gold, "has_nei_twin": gold != "not_enough_info", "candidates": found})
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--limit", type=int, default=0, help="a seeded sample of N claims (0 = all)")
    parser.add_argument("--depth", type=int, default=48)
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args()
    corpus, claims = load(require_data(args.data), args.split)
    claims = random.Random(0).sample(claims, args.limit) if args.limit and args.limit < len(claims) else claims
    stance = stance_for(args.model, args.workdir)
    with tempfile.TemporaryDirectory() as tmp:
        checker = FactChecker(Settings.from_env(data_dir=Path(tmp)), stance=stance)
        cases = collect(checker, claims, ingest_corpus(checker, corpus), args.depth)
    stance.save()
    out = args.workdir / f"evidence-cases-{args.split}-{stance.cache_key}.pkl"
    out.write_bytes(pickle.dumps(cases))
    print(f"{len(cases)} claims -> {out}")


if __name__ == "__main__":
    main()
