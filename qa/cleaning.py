"""Turn raw article text into clean article text plus what it says about its source.

Real pages carry site furniture after (and inside) the article: link lists ("Just Posted … Most
Read"), comment prompts, newsletter sign-ups, "READ MORE" teasers, photo captions, bylines and
duplicated title lines. None of that is article text, so none of it may become a passage.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A line equal to one of these starts a block of furniture that runs to the end of the document.
_TAIL_MARKERS = re.compile(
    r"^(just posted|most read|most popular|trending( now)?|related (articles|stories|posts)|"
    r"you may also like|recommended( for you)?|more from .{1,40}|leave a reply|comments?|"
    r"be the first to comment!?|share this( article)?:?|latest news|top stories)$", re.I)
# Whole lines that are never article text.
_JUNK_LINE = re.compile(
    r"^(#+\s*)?(read more\b.*|see also\b.*|related:.*|sign up( here)?\.?|subscribe( now)?\.?|advertisement|"
    r"_+|-+|\*+|share( on \w+)?|follow .{1,60} (at|on) \S+|.*\bcontributed to this report\.?|"
    r"get (local|the latest) .*(inbox|newsletter).*|click here.*|image( source)?:.*|photo:.*|"
    r"copyright .*|©.*|all rights reserved\.?)$", re.I)
_INLINE_READ_MORE = re.compile(r"\s*\bRead more\b[^.!?]*$")
_CAPTION_CREDIT = re.compile(r"[\[(](reuters|ap|afp|getty( images)?|epa|file photo|submitted|courtesy[^\])]*|"
                             r"[^\])]*(/|photo)[^\])]*)[\])]\s*$", re.I)
_SOURCE_LINE = re.compile(r"^source:\s*(?P<who>[^,;]+)", re.I)
_BYLINE_WIRE = re.compile(r"^[A-Z][\w.' -]{1,60},\s*(?P<who>the associated press|reuters|agence france-presse|"
                          r"bloomberg( news)?|the canadian press)$", re.I)
_WIRE_TAG = re.compile(r"^\s*(\+{3}\s*)?\((?P<tag>BBG|AP|Reuters|AFP|CP)\)\s*", re.I)
_WIRE_NAMES = {"bbg": "Bloomberg", "ap": "The Associated Press", "reuters": "Reuters", "afp": "AFP",
               "cp": "The Canadian Press"}
_PUBLISHER_ONLY = re.compile(r"^(the )?(associated press|canadian press|reuters|afp|bloomberg)$", re.I)
_PROSE_END = re.compile(r"[.!?:;,][\"'”’)\]]*$")
_DATE_LINE = re.compile(r"^(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})$|^(?P<iso>\d{4}-\d{2}-\d{2})")


@dataclass
class CleanedText:
    text: str
    title: str | None
    publisher: str | None
    date: str | None


def normalise(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))


def _date_from(line: str) -> str | None:
    m = _DATE_LINE.match(line)
    if not m:
        return None
    if m["iso"]:
        return m["iso"]
    day, month = int(m["d"]), int(m["m"])
    if month > 12:  # clearly month-first (US style)
        day, month = month, day
    return f"{m['y']}-{month:02d}-{day:02d}"  # otherwise day-first, as most non-US sites write it


def clean(raw: str) -> CleanedText:
    """Drop furniture, detect title/publisher/date markers, and keep paragraphs one per line."""
    lines = [line for line in normalise(raw).split("\n")]
    kept: list[str] = []
    title: str | None = None
    publisher: str | None = None
    date: str | None = None
    for line in lines:
        if not line:
            continue
        if _TAIL_MARKERS.match(line) and kept:
            break
        if kept and line == kept[-1]:
            continue  # duplicated title / paragraph line
        wire = _WIRE_TAG.match(line)
        if wire:
            publisher = publisher or _WIRE_NAMES[wire["tag"].lower()]
            line = line[wire.end():]
        if (m := _SOURCE_LINE.match(line)) or (m := _BYLINE_WIRE.match(line)):
            publisher = m["who"].strip()
            continue
        if _PUBLISHER_ONLY.match(line) or _JUNK_LINE.match(line) or _CAPTION_CREDIT.search(line):
            continue
        if (found := _date_from(line)) and len(line) <= 12:
            date = date or found
            continue
        line = _INLINE_READ_MORE.sub("", line).lstrip("# ").strip()
        if not kept and len(line) <= 200 and not _PROSE_END.search(line):
            title = line  # a headline: short, and not ending like a sentence
        if line:
            kept.append(line)
    return CleanedText("\n\n".join(kept), title, _canonical_publisher(publisher), date)


def _canonical_publisher(name: str | None) -> str | None:
    if not name:
        return None
    low = name.lower().removeprefix("the ").strip()
    for tag, canonical in _WIRE_NAMES.items():
        if low in (tag, canonical.lower().removeprefix("the ")):
            return canonical
    return name.strip()
