"""Seed questions with hand-made gold: the verdicts a careful reader of seeds/ gives, asked over HTTP.

    python -m bench.seed_questions [--baseline-model DIR --baseline-evidence-model FILE] [--name seed_questions]

Indexes seeds/ (five May-2017 articles) into an empty data dir and asks each question below through
`POST /v1/check`. Each gold verdict names the seed sentence it rests on (`because`), so it can be
checked by reading the corpus; "disputed" where the articles say both. Reports accuracy, true claims
answered refuted, and every answer. With --baseline-model the same questions again with that stance
model and its evidence model, in the same run. Writes bench/results/<name>.json. Needs no ../shared.
"""
from __future__ import annotations

import argparse
import json

from api import create_app
from bench.common import write_results
from bench.open_protocol import add_model_arguments, model_runs
from qa.service import FactChecker

# (question, gold verdict, the seed text it rests on)
QUESTIONS = [
    ("Did Trump agree to safe zones?", "disputed",
     "Putin 'secured the backing' of Trump vs the White House 'didn't state there was agreement'"),
    ("Did Russia lift its ban on Turkish tomatoes?", "refuted",
     "Russia will keep in place a ban on Turkish tomato imports for up to three to five years"),
    ("Will Russia end the ban on Turkish tomatoes next month?", "refuted",
     "Russia will keep in place a ban on Turkish tomato imports for up to three to five years"),
    ("Did China send troops to Syria?", "not_enough_info", "no seed article mentions China"),
    ("Is the ceasefire in Syria holding?", "supported", "the truce in Syria is on the whole being observed"),
    ("Will Trump and Putin meet in person in July?", "supported",
     "the leaders also agreed to try to set up their first in-person meeting in July"),
    ("Did a Russian air raid kill Turkish soldiers?", "supported",
     "A Russian air raid last month accidentally killed three Turkish soldiers"),
    ("Did Trump and Putin speak by phone?", "supported", "what the White House described as a 'very good' phone call"),
    ("Did Turkey shoot down a Russian jet?", "supported",
     "the Turkish air force shot down a Russian warplane near the Syrian border in late 2015"),
    ("Does Iran back Assad?", "supported", "Iran, an uncompromising backer of Assad"),
    ("Did the U.S. launch missiles against a Syrian air base?", "supported",
     "launched 59 Tomahawk missiles against a Syrian air base"),
    ("Did Putin and Erdogan agree to lift most trade restrictions?", "supported",
     "Putin and Erdogan also agreed to lift most trade restrictions"),
    ("Is the Syrian opposition skeptical about the Russian initiative?", "supported",
     "Syria's opposition is skeptical about the Russian initiative because of the involvement of Iran"),
]


def run_variant(settings, stance) -> dict:
    checker = FactChecker(settings, stance=stance)
    checker.index_seeds_if_empty()
    client = create_app(settings, checker=checker).test_client()
    answers = []
    for question, gold, because in QUESTIONS:
        answer = client.post("/v1/check", json={"question": question}).get_json()
        answers.append({"question": question, "gold": gold, "verdict": answer.get("verdict"),
                        "confidence": answer.get("confidence"), "because": because})
    checker.close()
    true = [a for a in answers if a["gold"] == "supported"]
    return {"stance_model": str(stance.model_dir),
            "right": sum(a["verdict"] == a["gold"] for a in answers), "questions": len(answers),
            "true_claims_answered_refuted": sum(a["verdict"] == "refuted" for a in true), "true_claims": len(true),
            "answers": answers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_arguments(parser)
    parser.add_argument("--name", default="seed_questions")
    args = parser.parse_args()
    if args.baseline_commit:
        parser.error("older commits lack this bench: compare models with --baseline-model")
    results = {}
    for name, settings, stance, fitted in model_runs(args):
        results[name] = {**run_variant(settings, stance), "evidence_model": str(fitted)}
        print(name, json.dumps({k: v for k, v in results[name].items() if k != "answers"}))
    write_results(args.name, {"corpus": "seeds/ (5 articles)", "runs": results})


if __name__ == "__main__":
    main()
