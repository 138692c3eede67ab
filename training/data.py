"""The training pool for the stance model, built from the project's labelled NLI pairs folder.

Choices (explained in the model card): official dev/test splits listed in the data README are
held out; FNC-1 "disagree" and other scarce refutations are up-weighted; big one-sided sets
(CANNOT contradictions, ArgKP "no match" neutrals, FNC-1 "discuss") are subsampled, as are the
contradictions of image-caption sets (SNLI, MPE, JOCI, CAD-SNLI: there "another scene" contradicts,
in news "another event" does not); long bodies are cut to the sentences relevant to the claim;
negation/antonym edits add contrastive pairs, and every continuation/termination verb swap the pool
allows ("kept" -> "lifted") is added; some premises also appear with an unrelated negative sentence
added (a distractor), label kept; some are framed as reported accounts ("Officials said that …",
"… did not confirm that <claim>"). Claim verification pairs in the COVID/science domain
(COVID-Fact; Check-COVID train, whose abstracts are disjoint from its dev split) come from the
sibling `eval/` folder when it exists; HealthVer is never trained on, so its score stays zero-shot.
From `more.jsonl.gz` only LingNLI and the SNLI-train subset are trained on (their licences allow
it); its other sets are evaluation-only. Training rows whose premise also occurs in a held-out split
are dropped. Sentences of the FNC-1/ARC train articles that only *discuss* their headline, and share
its entities and topic, are added as neutral pairs: the news twin of the COVID context rows (a
passage that reports talks or discusses a topic neither supports nor refutes the claim).

Unrelated premises are neutral (stance v4). Every claim source also appears with premises of other
rows of the same source (random in-domain pairs); each FNC-1/ARC train headline with excerpts of
bodies written about other stories (FNC-1's "unrelated" rows, rebuilt: one body chosen for the most
shared content words, one at random); each Check-COVID train claim with sentences of other abstracts
(the most overlapping of a sample, and a random one). Without them the model learnt from NLI
caption data that "another scene" contradicts, and judged off-topic passages refutations.

Claim-only cues are down-weighted: a bag-of-words model that sees only the claim is fitted on the
pool (cross-fitted in two folds), and each pair's weight falls with the probability that model gives
its label (`bias_weights`).
"""
from __future__ import annotations

import gzip
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from qa.stance import LABELS
from training.augment import add_distractor, augment, is_distractor_candidate, reported_account
from qa.stance_text import content_words, relevant_excerpt, split_sentences

NLI_TO_STANCE = {"entailment": "supports", "contradiction": "refutes", "neutral": "neutral"}
AUGMENT_SHARE = 0.15  # of short pairs that get negation/antonym edits
DISTRACTOR_SHARE = 0.12  # of short pairs that also appear with an unrelated negative sentence added
REPORTED_SHARE = 0.08  # of short pairs that also appear framed as a reported account
DISTRACTOR_SOURCES = ("mnli/", "fever-symmetric/", "fm2/", "covidfact/", "check-covid")  # news/science prose
HELD_OUT = (
    "mnli/dev_mismatched", "snli/test", "snli-hard/test", "fnc1-train/competition_test",
    "fever-symmetric/test", "arc-stance/test", "perspectrum/test", "conjnli/dev",
)
UNRELATED_SHARE = 0.2  # of each source's rows that also appear with another row's premise, as neutral
UNRELATED_MIN_ROWS = 200  # sources smaller than this get no random pairs (too few distinct premises)
BIAS_STRENGTH = 0.6  # weight = 1 - BIAS_STRENGTH * P_claim_only(label), normalised to mean 1
NEWS_TRAIN = ("fnc1-train/train", "arc-stance/train")  # article bodies whose "discuss" sentences become neutrals
# more.jsonl.gz: only these rows may be trained on (licence); the rest are extra held-out splits.
MORE_TRAINABLE = ("lingnli/", "snli-train-subset/")
# Expected number of copies of each pair, by (source prefix, NLI label); default 1.0.
SAMPLING = {
    ("fnc1-train/train", "contradiction"): 4.0,
    ("fnc1-train/train", "neutral"): 0.45,
    ("arc-stance/train", "contradiction"): 2.0,
    ("fm2/", "*"): 3.0,
    ("mnli/dev_matched", "*"): 2.0,
    ("covidfact/", "contradiction"): 0.7,
    ("covidfact/", "entailment"): 2.0,
    ("check-covid/", "*"): 3.0,
    ("check-covid-context/", "*"): 0.5,
    ("news-discuss-sentences/", "*"): 0.6,
    ("snli/dev", "contradiction"): 0.5,
    ("snli-train-subset/", "contradiction"): 0.5,
    ("mpe/", "contradiction"): 0.5,
    ("joci/", "contradiction"): 0.5,
    ("cad-snli/", "contradiction"): 0.6,
    ("fever-symmetric/dev", "*"): 2.0,
    ("summedits/", "contradiction"): 1.0,
    ("cannot/", "contradiction"): 0.45,
    ("argkp/", "neutral"): 0.15,
    ("breaking-nli/", "contradiction"): 0.5,
    ("conjnli/adversarial_train", "*"): 0.5,
    ("med/", "*"): 0.4,
    ("scone/", "*"): 0.5,
}


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: int  # index into LABELS
    source: str
    weight: float = 1.0  # in the loss; lowered where the claim alone predicts the label


def read_jsonl(path: Path) -> list[dict]:
    """JSON objects, one a line, from a plain or a gzipped (.gz) file."""
    with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def to_pair(row: dict, excerpt: bool = True) -> Pair:
    premise = relevant_excerpt(row["premise"], row["hypothesis"]) if excerpt else row["premise"]
    return Pair(premise, row["hypothesis"], LABELS.index(NLI_TO_STANCE[row["label"]]), row["source"])


def copies(source: str, label: str, rng: random.Random) -> int:
    """Stochastic rounding of the sampling weight, so 0.45 keeps ~45% and 4.0 gives 4 copies."""
    weight = 1.0
    for (prefix, wanted), w in SAMPLING.items():
        if source.startswith(prefix) and wanted in ("*", label):
            weight = w
            break
    whole = int(weight)
    return whole + (rng.random() < weight - whole)


def covid_rows(eval_dir: Path, rng: random.Random) -> list[dict]:
    """COVID-Fact (claim vs its evidence sentences) and Check-COVID train (claim vs the abstract
    sentences annotated for it; NOTENOUGHINFO -> neutral), as NLI rows. The other sentences of a
    cited abstract become neutral rows: on topic but not evidence, the case a retriever brings up
    most and that NLI data alone teaches to call a refutation."""
    rows = []
    fact = eval_dir / "covidfact" / "COVIDFACT_dataset.jsonl"
    if fact.exists():
        labels = {"SUPPORTED": "entailment", "REFUTED": "contradiction"}
        rows += [{"premise": " ".join(r["evidence"]), "hypothesis": r["claim"].strip(), "label": labels[r["label"]],
                  "source": "covidfact/all"} for r in read_jsonl(fact)]
    check = eval_dir / "check-covid"
    if (check / "corpus.json").exists():
        abstracts = {r["cord_id"]: r["abstract"] for r in read_jsonl(check / "corpus.json")}
        labels = {"SUPPORT": "entailment", "REFUTE": "contradiction", "NOTENOUGHINFO": "neutral"}
        for r in read_jsonl(check / "covidCheck_train_composed+extracted.json"):
            sentences = abstracts[r["cord_id"]]
            evidence = [sentences[e["sent_index"]] for e in r["evidence_set"] if e["sent_index"] < len(sentences)]
            if evidence:
                rows.append({"premise": " ".join(evidence), "hypothesis": r["claim"].strip(),
                             "label": labels[r["label"]], "source": "check-covid/train"})
            cited = {e["sent_index"] for e in r["evidence_set"]}
            rows += [{"premise": sentence, "hypothesis": r["claim"].strip(), "label": "neutral",
                      "source": "check-covid-context/train"}
                     for i, sentence in enumerate(sentences) if i not in cited]
            rows += [{"premise": s, "hypothesis": r["claim"].strip(), "label": "neutral",
                      "source": "check-covid-unrelated/train"}
                     for s in other_document_sentences(r["claim"], r["cord_id"], abstracts, rng)]
    return rows


def other_document_sentences(claim: str, own_id: str, documents: dict[str, list[str]], rng: random.Random,
                             sample: int = 40) -> list[str]:
    """Two sentences of documents other than `own_id`: the one sharing most content words with the
    claim among a random sample (same topic, another study or event), and a random one."""
    others = [s for doc_id in rng.sample(sorted(documents), min(len(documents), sample)) if doc_id != own_id
              for s in documents[doc_id][:1] + rng.sample(documents[doc_id], min(2, len(documents[doc_id])))]
    if not others:
        return []
    wanted = content_words(claim)
    hard = max(others, key=lambda s: len(wanted & content_words(s)))
    return [hard, rng.choice(others)]


def on_topic_sentences(body: str, headline: str, min_shared: int = 2, max_chars: int = 400) -> list[str]:
    """Sentences of an article body sharing at least `min_shared` of the headline's content words (its
    entities and topic)."""
    wanted = content_words(headline)
    return [s for s in split_sentences(body) if len(wanted & content_words(s)) >= min_shared and len(s) < max_chars]


def discuss_sentence_rows(rows: list[dict], rng: random.Random, source: str, per_article: int = 2) -> list[dict]:
    """Neutral rows: up to `per_article` on-topic sentences of each article that only discusses its
    headline (label neutral), tagged with `source`."""
    out = []
    for row in rows:
        if row["label"] != "neutral":
            continue
        on_topic = on_topic_sentences(row["premise"], row["hypothesis"])
        out += [{"premise": s, "hypothesis": row["hypothesis"], "label": "neutral", "source": source}
                for s in rng.sample(on_topic, min(per_article, len(on_topic)))]
    return out


def news_discuss_rows(rows: list[dict], rng: random.Random) -> list[dict]:
    """Discuss-sentence rows from the train-split news/forum bodies (FNC-1 and ARC)."""
    news = [r for r in rows if r["source"].startswith(NEWS_TRAIN)]
    return discuss_sentence_rows(news, rng, "news-discuss-sentences/train")


def news_unrelated_rows(rows: list[dict], rng: random.Random, candidates: int = 60) -> list[dict]:
    """Neutral rows pairing each FNC-1/ARC train headline with two bodies written about other stories:
    the one sharing most content words with it among a random sample (same topic, another event) and a
    random one. A body counts as another story when none of its own headlines shares more than one
    content word with this headline."""
    news = [r for r in rows if r["source"].startswith(NEWS_TRAIN)]
    headlines_of_body: dict[str, set[str]] = defaultdict(set)
    for r in news:
        headlines_of_body[r["premise"]].add(r["hypothesis"])
    bodies = sorted(headlines_of_body)
    body_words = {body: content_words(body) for body in bodies}
    headline_words = {h: content_words(h) for hs in headlines_of_body.values() for h in hs}
    out = []
    for headline in sorted(headline_words):
        wanted = headline_words[headline]
        others = [b for b in rng.sample(bodies, min(candidates, len(bodies)))
                  if all(len(wanted & headline_words[h]) <= 1 for h in headlines_of_body[b])]
        if not others:
            continue
        hard = max(others, key=lambda b: len(wanted & body_words[b]))
        chosen = rng.choice(others)
        out += [{"premise": body, "hypothesis": headline, "label": "neutral", "source": "news-unrelated/train"}
                for body in [hard] + [chosen] * (chosen != hard)]
    return out


def random_unrelated_rows(rows: list[dict], rng: random.Random) -> list[dict]:
    """Neutral rows: a share of each source's claims with the premise of another row of the same
    source that shares at most one content word with the claim (an unrelated premise in the claim's
    own domain and style)."""
    by_source: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_source[r["source"]].append(r)
    out = []
    for source, group in sorted(by_source.items()):
        if len(group) < UNRELATED_MIN_ROWS or "unrelated" in source:
            continue
        for row in rng.sample(group, int(len(group) * UNRELATED_SHARE)):
            wanted = content_words(row["hypothesis"])
            for _ in range(3):
                other = rng.choice(group)["premise"]
                if other != row["premise"] and len(wanted & content_words(other[:2000])) <= 1:
                    out.append({"premise": other, "hypothesis": row["hypothesis"], "label": "neutral",
                                "source": "unrelated/" + source})
                    break
    return out


def split_rows(data_dir: Path, rng: random.Random, calibration_share: float = 0.02) -> tuple[list[dict], list[dict]]:
    """(calibration, training) rows: every trainable row, shuffled by `rng`; calibration is a random
    held-out slice for temperature fitting."""
    rows = read_jsonl(data_dir / "pairs.jsonl.gz") + read_jsonl(data_dir / "extra.jsonl.gz")
    more = read_jsonl(data_dir / "more.jsonl.gz") if (data_dir / "more.jsonl.gz").exists() else []
    held_out_premises = {r["premise"] for r in rows if r["source"].startswith(HELD_OUT)}
    held_out_premises |= {r["premise"] for r in more if not r["source"].startswith(MORE_TRAINABLE)}
    rows += [r for r in more if r["source"].startswith(MORE_TRAINABLE)]
    rows = [r for r in rows if not r["source"].startswith(HELD_OUT) and r["premise"] not in held_out_premises]
    rows += covid_rows(data_dir.parent / "eval", rng)
    rows += news_discuss_rows(rows, rng)
    rows += news_unrelated_rows(rows, rng)
    rows += random_unrelated_rows(rows, rng)
    rng.shuffle(rows)
    n_cal = max(int(len(rows) * calibration_share), 1)
    return rows[:n_cal], rows[n_cal:]


def calibration_pairs(data_dir: Path, seed: int) -> list[Pair]:
    """The calibration slice `build_pool` holds out with this seed, without building the pool."""
    return [to_pair(r) for r in split_rows(data_dir, random.Random(seed))[0]]


def build_pool(data_dir: Path, seed: int) -> tuple[list[Pair], list[Pair]]:
    """(train, calibration) pairs."""
    rng = random.Random(seed)
    calibration_rows, rows = split_rows(data_dir, rng)
    calibration = [to_pair(r) for r in calibration_rows]
    distractors = sorted({r["premise"] for r in rows
                          if r["source"].startswith(DISTRACTOR_SOURCES) and is_distractor_candidate(r["premise"])})
    train: list[Pair] = []
    for row in rows:
        pair = to_pair(row)
        train.extend([pair] * copies(row["source"], row["label"], rng))
        if len(pair.premise) < 400:
            edits = augment(pair.premise, pair.hypothesis, row["label"], rng, state_change_only=True)
            if rng.random() < AUGMENT_SHARE:
                edits += augment(pair.premise, pair.hypothesis, row["label"], rng)
            train += [Pair(p, h, LABELS.index(NLI_TO_STANCE[label]), "augment/" + row["label"])
                      for p, h, label in edits]
            if distractors and rng.random() < DISTRACTOR_SHARE:
                padded = add_distractor(pair.premise, pair.hypothesis, distractors, rng)
                if padded:
                    train.append(Pair(padded, pair.hypothesis, pair.label, "distractor/" + row["label"]))
            if rng.random() < REPORTED_SHARE:
                framed = reported_account(pair.premise, pair.hypothesis, row["label"], rng)
                if framed:
                    train.append(Pair(framed[0], pair.hypothesis, LABELS.index(NLI_TO_STANCE[framed[1]]),
                                      "reported/" + row["label"]))
    train = bias_weights(train)
    rng.shuffle(train)
    return train, calibration


def claim_only_model():
    """A bag-of-words classifier that sees only the claim: what the label is predictable from
    without reading the passage."""
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline

    return make_pipeline(HashingVectorizer(ngram_range=(1, 2), n_features=2 ** 20, alternate_sign=False),
                         SGDClassifier(loss="log_loss", alpha=1e-6, max_iter=5, tol=None, random_state=0))


def bias_weights(pairs: list[Pair], strength: float = BIAS_STRENGTH) -> list[Pair]:
    """`pairs` with weight 1 - strength * P_claim_only(gold label), normalised to mean 1; the claim-only
    model is cross-fitted (two folds), so a pair's weight never comes from a model that saw it."""
    import numpy as np

    if not pairs:
        return pairs
    claims = [p.hypothesis for p in pairs]
    labels = np.array([p.label for p in pairs])
    fold = np.arange(len(pairs)) % 2
    p_gold = np.zeros(len(pairs))
    for k in (0, 1):
        model = claim_only_model().fit([c for c, f in zip(claims, fold) if f != k], labels[fold != k])
        held = np.flatnonzero(fold == k)
        proba = model.predict_proba([claims[i] for i in held])
        p_gold[held] = proba[np.arange(len(held)), np.searchsorted(model.classes_, labels[held])]
    weights = 1.0 - strength * p_gold
    weights /= weights.mean()
    return [Pair(p.premise, p.hypothesis, p.label, p.source, float(w)) for p, w in zip(pairs, weights)]


def held_out_rows(data_dir: Path) -> dict[str, list[dict]]:
    """The rows of the official dev/test splits named in the data README, by source (`to_pair` them)."""
    splits: dict[str, list[dict]] = {name: [] for name in HELD_OUT}
    for row in read_jsonl(data_dir / "pairs.jsonl.gz"):
        if row["source"] in splits:
            splits[row["source"]].append(row)
    return splits


def extra_held_out_rows(data_dir: Path) -> dict[str, list[dict]]:
    """The evaluation-only sets of more.jsonl.gz (non-commercial or unlicensed), by source."""
    splits: dict[str, list[dict]] = {}
    path = data_dir / "more.jsonl.gz"
    for row in read_jsonl(path) if path.exists() else []:
        if not row["source"].startswith(MORE_TRAINABLE):
            splits.setdefault(row["source"], []).append(row)
    return splits


def label_counts(pairs: list[Pair]) -> dict[str, int]:
    counts = Counter(LABELS[p.label] for p in pairs)
    return {label: counts[label] for label in LABELS}
