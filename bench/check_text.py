"""Warm /v1/check_text latency for a 500-word draft about the seed corpus's topics, over real HTTP.

    python -m bench.check_text [--runs 10]

Indexes seeds/ into a temporary data dir, starts the app on 127.0.0.1 (random port), warms it up, then
posts the draft below `--runs` times. Baseline in the same run: the same claims sent one by one to
/v1/check (what a client had to do before). Writes bench/results/check_text.json.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import write_results
from bench.scale import percentiles, serve

# A draft an editor might check: news prose on the seed corpus's topics, with the usual mix of claims,
# compound sentences, a question, an opinion and a sign-off. Written for this bench (not seed text).
DRAFT = """Russia and Turkey: a week of talks

Russian President Vladimir Putin met Turkish President Recep Tayyip Erdogan in the Black Sea resort of Sochi
on Wednesday. The two leaders discussed the war in Syria and agreed to work together on safe zones for
civilians. Putin said that U.S. President Donald Trump backed the plan for safe zones in a phone call.
The White House did not confirm that there was an agreement on safe zones. The Kremlin said the
leaders had also talked about a ceasefire in Syria.

Erdogan pressed Putin to lift the remaining trade restrictions on Turkish goods. Russia lifted most of
its sanctions on Turkey last year, but it kept a ban on imports of Turkish tomatoes. The agriculture
minister said the ban would stay in place for several more years. Turkish exporters have lost hundreds
of millions of dollars since the ban was introduced, and many farmers switched to other crops.

Relations between Moscow and Ankara collapsed in November 2015 when Turkey shot down a Russian warplane
near the Syrian border. Russia responded with sanctions, banned charter flights to Turkish resorts and
halted work on a gas pipeline. The two countries restored ties in the summer of 2016 after Erdogan
expressed regret over the death of the pilot.

In Syria, Russia, Turkey and Iran agreed in Astana to create four de-escalation zones. The plan calls
for a ban on flights by military aircraft over the zones. Syrian rebels walked out of the talks in
protest at continued air strikes. The United Nations welcomed the agreement and said it would study the
details. Washington was represented at the talks by a junior official.

A Russian air raid killed three Turkish soldiers in northern Syria in February, and Putin called Erdogan
to express his condolences. Turkish troops are fighting Islamic State militants near the town of al-Bab.
China has not sent troops to Syria. Iran backs the government of President Bashar al-Assad and has sent
military advisers to the country.

Trump and Putin will meet in person for the first time at the G20 summit in Hamburg in July. The
Kremlin said the two presidents had discussed Syria and North Korea in their phone call. Trump ordered
missile strikes on a Syrian air base in April after a chemical attack on a rebel-held town.

Economists say the trade dispute cost both countries dearly. Turkish fruit and vegetable exports to
Russia fell by more than half in 2016, and Russian tour operators lost their most popular destination.
Russian tourists returned to Turkish beaches in large numbers after the charter ban was lifted. Turkey
is also buying an air defence system from Russia, a deal that has worried its NATO allies. Work on the
TurkStream gas pipeline under the Black Sea resumed in 2017, and the first gas is expected to flow in 2019.

Will the ceasefire in Syria hold? What will Washington do next? I think the safe zones will be hard to
enforce. Read our full coverage of the Syrian war on the world page. Thanks for reading!
"""


def post(url: str, body: dict) -> tuple[float, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        answer = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, base = serve(Path(tmp), seeds=True)
        _, answer = post(f"{base}/v1/check_text", {"text": DRAFT})  # warm-up
        claims = [c["claim"] for c in answer["claims"]]
        for claim in claims[:3]:
            post(f"{base}/v1/check", {"question": claim})
        whole = [post(f"{base}/v1/check_text", {"text": DRAFT})[0] for _ in range(args.runs)]
        one_by_one = [sum(post(f"{base}/v1/check", {"question": c})[0] for c in claims) for _ in range(3)]
        server.shutdown()
    results = {
        "corpus": "seeds/ (5 articles)", "text_words": len(DRAFT.split()), "text_chars": len(DRAFT),
        "claims": len(claims), "skipped": len(answer["skipped"]), "summary": answer["summary"],
        "passages_shown": sum(len(c[s]) for c in answer["claims"] for s in ("supporting", "conflicting", "related")),
        "check_text": percentiles(whole),
        "baseline_each_claim_via_v1_check": percentiles(one_by_one),
    }
    print(json.dumps(results, indent=2))
    write_results("check_text", results)


if __name__ == "__main__":
    main()
