"""Raw document -> cleaned, described, split Document with stable ids."""
from __future__ import annotations

import hashlib

from qa.cleaning import clean
from qa.documents import Document, Source
from qa.errors import IngestError
from qa.readers import RawDocument, strip_markdown
from qa.splitting import split_passages


def build_document(raw: RawDocument) -> Document:
    """Clean and split; metadata given by the caller wins over what the text itself says."""
    text = strip_markdown(raw.text) if raw.is_markdown else raw.text
    cleaned = clean(text)
    if not cleaned.text.strip():
        raise IngestError(f"{raw.path or 'document'}: no text left after cleaning")
    content_hash = hashlib.sha256(cleaned.text.encode()).hexdigest()
    doc_id = content_hash[:16]
    title = (raw.title or cleaned.title or _first_words(cleaned.text)).strip()
    passages = split_passages(doc_id, cleaned.text, skip_first=cleaned.title is not None)
    if not passages:
        raise IngestError(f"{raw.path or 'document'}: no sentences of prose found")
    source = Source(doc_id, title, raw.publisher or cleaned.publisher, raw.date or cleaned.date, raw.url, raw.path)
    return Document(source, cleaned.text, tuple(passages), content_hash)


def _first_words(text: str, limit: int = 80) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"
