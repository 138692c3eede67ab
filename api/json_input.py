"""Request JSON, parsed and validated once at the edge: text that is not valid Unicode never reaches the core.

JSON may escape lone UTF-16 surrogates ("\\ud800"), which Python decodes into strings that cannot
be encoded, stored or tokenized. Every JSON route reads its body through `json_body`, which refuses
them with 400 problem+json (MCP's own parser refuses them too).
"""
from __future__ import annotations

import json
from typing import Any

from flask import request

from qa.errors import InvalidInput


def require_unicode(value: object) -> None:
    """Raise ValueError if any string in `value` (keys included) holds a lone surrogate."""
    stack = [value]
    while stack:  # iterative: the nesting depth is the client's choice
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise ValueError("text holds a lone UTF-16 surrogate (\\ud800-\\udfff), "
                                     "which is not valid Unicode") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or InvalidInput (400) saying what is wrong with it."""
    if not request.is_json:
        raise InvalidInput("the request body must be a JSON object (Content-Type: application/json)")
    try:
        body = json.loads(request.get_data())
        require_unicode(body)
    except RecursionError:
        raise InvalidInput("the request body is nested too deeply") from None
    except ValueError as exc:  # also UnicodeDecodeError: bytes that are not UTF-8
        raise InvalidInput(f"the request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object (Content-Type: application/json)")
    return body
