"""``intuit-signature``: base64(HMAC-SHA256(key=verifier token, msg=raw body)), compared in constant time.

python-quickbooks' own ``validate_webhook_signature`` re-encodes a decoded body and compares with
``==``; we check the exact bytes received, with ``hmac.compare_digest``, before anything parses them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def expected_signature(body: bytes, verifier_token: str) -> str:
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_valid(body: bytes, signature: str, verifier_token: str) -> bool:
    if not signature or not verifier_token:
        return False
    return hmac.compare_digest(expected_signature(body, verifier_token).encode(), signature.strip().encode())
