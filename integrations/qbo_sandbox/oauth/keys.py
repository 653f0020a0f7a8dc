"""The sandbox's OpenID signing key: one RSA key, kept in ``meta`` so id_tokens and the JWKS agree
across restarts."""

from __future__ import annotations

import base64
import hashlib
import json

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

_META_KEY = "oauth.rsa_private_key_pem"


def _b64url_uint(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class SigningKey:
    def __init__(self, db) -> None:
        pem = db.get_meta(_META_KEY)
        if pem is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode("ascii")
            db.set_meta(_META_KEY, pem)
        # The key is our own (generated above, kept in our own db): skip OpenSSL's slow consistency check.
        self._private = serialization.load_pem_private_key(
            pem.encode("ascii"), password=None, unsafe_skip_rsa_key_validation=True
        )
        numbers = self._private.public_key().public_numbers()
        self._jwk = {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }
        # RFC 7638 thumbprint as the kid: stable for the key, different for a new sandbox.
        canonical = json.dumps({k: self._jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()

    def jwks(self) -> dict:
        return {"keys": [{**self._jwk, "kid": self.kid}]}

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self._private, algorithm="RS256", headers={"kid": self.kid})
