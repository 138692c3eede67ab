"""The committed stance model, loaded offline: clear cases from the seed articles come out right."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from api.cli import main
from qa.stance import MODEL_DIR

CLEAR_CASES = [
    ("Trump backs safe zones in Syria.",
     "Russian President Vladimir Putin said that he secured the backing of U.S. President Donald Trump for a "
     "proposal to establish safe zones in Syria which could include a ban on bombing raids.", "supports"),
    ("Relations between Russia and Turkey have not recovered.",
     "Relations between Russia and Turkey have returned to normal after the crisis over the downing of the "
     "warplane, Putin said.", "refutes"),
    ("The conflict has killed an estimated 400,000 people.",
     "The conflict has killed an estimated 400,000 people and sent millions more fleeing.", "supports"),
    ("Trump and Putin will meet in July.",
     "Russia has an active military presence in Syria in support of Assad's forces.", "neutral"),
    ("A Russian warning against charter flights to Turkey will stay in force.",
     "A Russian warning against charter flights to Turkey will be revoked, Dvorkovich said.", "refutes"),
    ("Trump never spoke with Putin.",
     "Tuesday’s call marked the third time Trump and Putin are known to have talked since the U.S. president "
     "took office in January.", "refutes"),
    ("The Kremlin called the call business-like.",
     "The Kremlin characterized the call as “business-like” and “constructive.”", "supports"),
    ("Russia lifted its ban on Turkish tomatoes.",
     "Still, Russia will keep in place a ban on Turkish tomato imports for up to three to five years, "
     "Deputy Prime Minister Arkady Dvorkovich said.", "refutes"),
]


def test_model_ships_with_the_package() -> None:
    assert (MODEL_DIR / "model.safetensors").stat().st_size < 50 * 1024 * 1024
    assert json.loads((MODEL_DIR / "calibration.json").read_text())["temperature"] > 0
    assert (MODEL_DIR / "MODEL_CARD.md").exists()


@pytest.mark.parametrize("claim, passage, expected", CLEAR_CASES)
def test_clear_cases(stance_model, claim: str, passage: str, expected: str) -> None:
    [scores] = stance_model.judge(claim, [passage])
    assert scores.stance == expected, scores
    assert abs(scores.supports + scores.refutes + scores.neutral - 1.0) < 1e-5


def test_batches_match_single_pairs(stance_model) -> None:
    pairs = [(c, p) for c, p, _ in CLEAR_CASES]
    batched = stance_model.score_pairs(pairs)
    single = [stance_model.score_pairs([pair])[0] for pair in pairs]
    for a, b in zip(batched, single):
        assert a.stance == b.stance and abs(a.supports - b.supports) < 0.02


def test_judge_cli_reports_bad_lines_and_keeps_the_rest(tmp_path) -> None:
    lines = [json.dumps({"claim": CLEAR_CASES[1][0], "passage": CLEAR_CASES[1][1]}),
             "{broken json",
             json.dumps({"claim": "x"}),
             "",
             json.dumps({"claim": CLEAR_CASES[0][0], "passage": CLEAR_CASES[0][1]})]
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["judge", "--jsonl", str(path)])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("stance") for o in out] == ["refutes", None, None, "supports"]
    assert out[1] == {"line": 2, "error": out[1]["error"]} and "JSON" in out[1]["error"]
    assert out[2]["line"] == 3 and "passage" in out[2]["error"]
    assert "line 2:" in result.stderr and "line 3:" in result.stderr


def test_long_claim_and_long_passage_do_not_break_the_batch(stance_model) -> None:
    long_claim = "Russia lifted its ban on Turkish tomatoes " * 60
    scores = stance_model.score_pairs([(long_claim, "Tomatoes. " * 400), CLEAR_CASES[1][:2]])
    assert len(scores) == 2 and scores[1].stance == "refutes"


def test_long_premise_excerpt_keeps_a_sentence_that_takes_a_stance() -> None:
    """The excerpt of a long body keeps the sentences most about the claim, and makes room for a
    sentence that takes a stance in words when none of those does, even if it names nothing of the claim."""
    from qa.stance_text import relevant_excerpt

    claim = "A spider burrowed into a man's stomach after a trip to Bali."
    body = " ".join(["A man returned from a trip to Bali with stomach pain.",
                     "Doctors examined the man's stomach for hours.",
                     "The man said a spider had burrowed in during the trip.",
                     "The weather in the region was warm that week.",
                     "Local officials say the whole story is a hoax.",
                     "Tourism to the island has grown for a decade, the ministry of tourism announced on Monday.",
                     "Hotels along the coast reported their busiest season since records began in the nineties.",
                     "Flights from Europe and Australia were added by several airlines over the summer months.",
                     "Visitor numbers are expected to rise again next year as new resorts open in the north."])
    excerpt = relevant_excerpt(body, claim)
    assert "hoax" in excerpt
    assert excerpt.startswith("A man returned from a trip to Bali")  # still in the body's order
    assert len(excerpt) < len(body)
    plain = body.replace("Local officials say the whole story is a hoax.", "Local officials spoke to the press on Monday afternoon.")
    assert "Local officials" not in relevant_excerpt(plain, claim)  # no stance sentence: overlap alone decides
