"""Bulk ingest on Ray: read and split locally, embed on Ray Data actors, store through the FactChecker.

Reading, cleaning and splitting are cheap and stay in this process; the encoder (the costly step)
runs in `map_batches` on a pool of actors that each hold one MiniLM encoder, on a local Ray or on a
cluster (`address`). Documents are then stored in file order through the same store and vector
backend as plain ingest, so stories, ids and vectors come out the same. Imported only by
`factcheck ingest --ray` and the benchmark: the core never imports ray.
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.encoder import MiniLMEncoder
from qa.documents import Document
from qa.errors import FactCheckError, InvalidInput
from qa.ingest import build_document
from qa.readers import expand_paths, read_file
from qa.service import FactChecker, IngestOutcome

FileRead = list[Document] | IngestOutcome  # a file's documents, or why it was rejected
RAY_ADDRESS = re.compile(r"local|auto|ray://[\w.\-]+(:\d+)?|[\w.\-]+:\d+")


@dataclass(frozen=True)
class RayOptions:
    address: str = "local"  # "local" starts a Ray on this machine; else "auto", "ray://host:10001", "host:6379"
    actors: int = 1  # encoder actors (one MiniLM each)
    threads: int = 2  # torch threads (and Ray CPUs) per actor
    batch_size: int = 256  # passages per map_batches call
    chunk_passages: int = 20_000  # passages embedded per Ray dataset, so memory stays bounded

    def __post_init__(self) -> None:
        if not RAY_ADDRESS.fullmatch(self.address):
            raise InvalidInput(f"{self.address!r} is not a Ray address (local, auto, ray://host:port or "
                               "host:port); put PATHs before --ray, or write --ray=ADDRESS")
        if min(self.actors, self.threads, self.batch_size, self.chunk_passages) < 1:
            raise InvalidInput("actors, threads, batch_size and chunk_passages must be at least 1")


class PassageEmbedder:
    """A Ray Data actor: holds one encoder and embeds batches of passage texts."""

    def __init__(self, threads: int) -> None:
        self.encoder = MiniLMEncoder(threads)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"row": batch["row"], "vector": self.encoder.encode_passages([str(t) for t in batch["text"]])}


def read_paths(paths: list[Path], max_bytes: int) -> list[FileRead]:
    """Per file, in order: its documents, or the error outcome of a bad file (nothing of it kept)."""
    read: list[FileRead] = []
    for path in expand_paths(paths):
        try:
            read.append([build_document(raw) for raw in read_file(path, max_bytes)])
        except FactCheckError as exc:
            read.append(IngestOutcome(str(path), error=exc.detail))
    return read


def embed_on_ray(texts: list[str], options: RayOptions, dimension: int) -> np.ndarray:
    """Vectors of `texts` in their order, computed by `options.actors` encoder actors."""
    import ray

    if not texts:
        return np.zeros((0, dimension), dtype=np.float32)
    ray.data.DataContext.get_current().enable_progress_bars = False
    rows = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)],
                               override_num_blocks=-(-len(texts) // options.batch_size))
    embedded = rows.map_batches(PassageEmbedder, fn_constructor_kwargs={"threads": options.threads},
                                batch_size=options.batch_size, compute=ray.data.ActorPoolStrategy(size=options.actors),
                                num_cpus=options.threads, batch_format="numpy")
    vectors = np.zeros((len(texts), dimension), dtype=np.float32)
    for batch in embedded.iter_batches(batch_format="numpy", batch_size=None):
        vectors[batch["row"]] = batch["vector"]
    return vectors


def _batches(read: list[FileRead], limit: int) -> Iterator[list[FileRead]]:
    """Consecutive files holding about `limit` passages, so memory stays bounded and order is kept."""
    batch: list[FileRead] = []
    size = 0
    for item in read:
        batch.append(item)
        size += sum(len(d.passages) for d in item) if isinstance(item, list) else 0
        if size >= limit:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _to_embed(checker: FactChecker, batch: list[FileRead]) -> list[Document]:
    """Documents neither stored already nor repeated earlier in the batch (those are only reported)."""
    seen: set[str] = set()
    todo = []
    for doc in (d for item in batch if isinstance(item, list) for d in item):
        if doc.content_hash not in seen and not checker.store.doc_id_for_hash(doc.content_hash):
            todo.append(doc)
        seen.add(doc.content_hash)
    return todo


def _embed_and_store(checker: FactChecker, batch: list[FileRead], options: RayOptions) -> list[IngestOutcome]:
    todo = _to_embed(checker, batch)
    embedded = embed_on_ray([p.text for d in todo for p in d.passages], options, checker.encoder.dimension)
    offsets = np.cumsum([0] + [len(d.passages) for d in todo])
    vectors = {d.content_hash: embedded[a:b] for d, a, b in zip(todo, offsets, offsets[1:])}
    outcomes: list[IngestOutcome] = []
    for item in batch:
        if isinstance(item, IngestOutcome):
            outcomes.append(item)
        else:
            outcomes += [checker.add_embedded(doc, vectors.get(doc.content_hash)) for doc in item]
    return outcomes


@contextmanager
def ray_session(options: RayOptions) -> Iterator[None]:
    """Connect to (or start) Ray unless this process already has; shut down only what it started."""
    import ray

    if ray.is_initialized():
        yield
        return
    local = options.address == "local"
    os.environ.setdefault("RAY_gcs_server_port_wait_time_s", "120")  # Ray's ~20 s start window is short on busy cores
    ray.init(address=None if local else options.address, num_cpus=options.actors * options.threads if local else None,
             include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    try:
        yield
    finally:
        ray.shutdown()


def ray_ingest(checker: FactChecker, paths: list[Path], options: RayOptions) -> list[IngestOutcome]:
    """Ingest like `checker.ingest_paths`, with the passages embedded on Ray."""
    read = read_paths(paths, checker.settings.max_upload_bytes)
    outcomes: list[IngestOutcome] = []
    with ray_session(options), checker.bulk():
        for batch in _batches(read, options.chunk_passages):
            outcomes += _embed_and_store(checker, batch, options)
    return outcomes
