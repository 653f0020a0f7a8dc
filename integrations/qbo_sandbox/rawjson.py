"""JSON encoding that splices stored documents in verbatim.

A 1000-row query page or a CDC answer is mostly documents that sit in SQLite as JSON text already;
decoding and re-encoding them would dominate the request. ``RawDocs`` carries those texts and
``encode`` pastes them into the response unchanged.
"""

from __future__ import annotations

import json


class RawDocs:
    """A JSON array whose elements are already-encoded JSON objects."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def __len__(self) -> int:
        return len(self.texts)

    def __bool__(self) -> bool:
        return bool(self.texts)

    def documents(self) -> list[dict]:
        return [json.loads(text) for text in self.texts]


def encode(payload: object) -> bytes:
    pieces: dict[str, str] = {}

    def default(value: object) -> object:
        if isinstance(value, RawDocs):
            token = f"\u0000raw{len(pieces)}\u0000"
            pieces[token] = "[" + ",".join(value.texts) + "]"
            return token
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    text = json.dumps(payload, separators=(",", ":"), default=default)
    for token, raw in pieces.items():
        text = text.replace(json.dumps(token), raw, 1)
    return text.encode()
