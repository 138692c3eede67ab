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
"""
from __future__ import annotations

import gzip
import json
import random
from collections import Counter
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


def covid_rows(eval_dir: Path) -> list[dict]:
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
    return rows


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


def split_rows(data_dir: Path, rng: random.Random, calibration_share: float = 0.02) -> tuple[list[dict], list[dict]]:
    """(calibration, training) rows: every trainable row, shuffled by `rng`; calibration is a random
    held-out slice for temperature fitting."""
    rows = read_jsonl(data_dir / "pairs.jsonl.gz") + read_jsonl(data_dir / "extra.jsonl.gz")
    more = read_jsonl(data_dir / "more.jsonl.gz") if (data_dir / "more.jsonl.gz").exists() else []
    held_out_premises = {r["premise"] for r in rows if r["source"].startswith(HELD_OUT)}
    held_out_premises |= {r["premise"] for r in more if not r["source"].startswith(MORE_TRAINABLE)}
    rows += [r for r in more if r["source"].startswith(MORE_TRAINABLE)]
    rows = [r for r in rows if not r["source"].startswith(HELD_OUT) and r["premise"] not in held_out_premises]
    rows += covid_rows(data_dir.parent / "eval")
    rows += news_discuss_rows(rows, rng)
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
    rng.shuffle(train)
    return train, calibration


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
