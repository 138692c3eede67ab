"""Plot bench/results/scale.json: index search latency and memory against corpus size, and /v1/check.

    python -m bench.plot_scale        # writes docs/scale.png (needs matplotlib: the `scale` extra)
"""
from __future__ import annotations

import json

from bench.common import REPO, RESULTS
from embeddings.index import EF_SEARCH, FLAT_MAX

OUT = REPO / "docs" / "scale.png"


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = json.loads((RESULTS / "scale.json").read_text())
    index = results["index_1m"]
    figure, (latency, memory, checks) = plt.subplots(1, 3, figsize=(15, 4.6))
    sizes = sorted(int(n) for n in index["flat"])
    hnsw = [index["hnsw-sq8"][str(n)] for n in sizes]
    latency.plot(sizes, [index["flat"][str(n)]["p50_ms"] for n in sizes], "o-", label="flat (exact)")
    latency.plot(sizes, [row["ef_search"][str(EF_SEARCH)]["p50_ms"] for row in hnsw], "s-",
                 label=f"HNSW32-SQ8, ef {EF_SEARCH}")
    for kind, marker in (("ivf-sq8", "^"), ("ivf-pq48", "v")):
        latency.plot([sizes[-1]], [index[kind]["nprobe"]["32"]["p50_ms"]], marker, label=f"{kind}, nprobe 32")
    latency.axvline(FLAT_MAX, color="grey", linestyle=":", label=f"FLAT_MAX = {FLAT_MAX:,}")
    _axes(latency, "index search p50 (ms, one query, k=10)")
    memory.plot(sizes, [index["flat"][str(n)]["size_mb"] for n in sizes], "o-", label="flat (exact)")
    memory.plot(sizes, [row["size_mb"] for row in hnsw], "s-", label="HNSW32-SQ8")
    for kind, marker in (("ivf-sq8", "^"), ("ivf-pq48", "v")):
        memory.plot([sizes[-1]], [index[kind]["size_mb"]], marker, label=kind)
    _axes(memory, "index memory (MB, serialised size)")
    _check_panel(checks, results)
    figure.suptitle(f"factcheck at scale\n{results['machine']}; each section's load average is in "
                    "bench/results/scale.json", fontsize=10)
    figure.tight_layout()
    OUT.parent.mkdir(exist_ok=True)
    figure.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")


def _axes(axes, ylabel: str) -> None:
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("vectors in the index")
    axes.set_ylabel(ylabel)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)


def _check_panel(axes, results: dict) -> None:
    """/v1/check p50 and p95 at the two corpus sizes measured end to end."""
    keys = [key for key in ("seeds_check", "fnc1_check") if key in results]
    labels = ["seeds\n(5 articles)" if key == "seeds_check"
              else f"FNC-1\n({results['fnc1_ingest']['passages']:,} passages)" for key in keys]
    for offset, stat in ((-0.2, "p50_ms"), (0.2, "p95_ms")):
        axes.bar([i + offset for i in range(len(keys))], [results[key][stat] for key in keys], 0.4,
                 label=stat.replace("_ms", ""))
    axes.set_xticks(range(len(keys)), labels)
    axes.set_ylabel("/v1/check latency over HTTP (ms)")
    axes.legend(fontsize=8)


if __name__ == "__main__":
    main()
