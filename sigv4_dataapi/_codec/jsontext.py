"""``json.loads`` for the many small bodies of an ORM's calls: same values, same errors.

Per call ``json.loads`` costs more than a small body's parsing itself (measured on a
one-row answer: ~8 us of ~17): given an ``object_pairs_hook`` it builds a new
``JSONDecoder`` (and its C scanner) every time, and ``decode`` then matches
whitespace twice around the scan. Here the decoder is built once by the caller
and its scanner is called directly; anything but a bare JSON value (whitespace
around it, extra data, no value at all) goes to ``decode``, which parses it or
raises exactly as ``json.loads`` does.
"""

from __future__ import annotations

import json
from typing import Any

PLAIN = json.JSONDecoder()


def text_of(body: bytes | bytearray | str) -> str:
    """The text ``json.loads`` would parse for ``body`` (its checks and decoding)."""
    if isinstance(body, str):
        if body.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", body, 0)
        return body
    if not isinstance(body, (bytes, bytearray)):
        raise TypeError(
            f"the JSON object must be str, bytes or bytearray, not {body.__class__.__name__}"
        )
    return body.decode(json.detect_encoding(body), "surrogatepass")


def loads(body: bytes | bytearray | str, decoder: json.JSONDecoder = PLAIN) -> Any:
    """``json.loads(body)`` with ``decoder``'s options (its hook), built once by the caller."""
    return loads_text(text_of(body), decoder)


def loads_text(text: str, decoder: json.JSONDecoder = PLAIN) -> Any:
    """``loads`` of a ``text_of`` result (checked and decoded already, so not twice)."""
    try:
        value, end = decoder.scan_once(text, 0)  # type: ignore[attr-defined]  # set by __init__
    except StopIteration:  # leading whitespace or no value: decode parses it, or says why
        return decoder.decode(text)
    if end != len(text):  # trailing whitespace or extra data (the hooks may run twice)
        return decoder.decode(text)
    return value
