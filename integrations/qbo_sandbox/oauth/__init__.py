"""The sandbox's Intuit OAuth2 / OpenID Connect server (spec §8).

``OAuthServer(db, clock, config)`` serves discovery, the consent page, the token, revoke, userinfo
and JWKS endpoints (``rules()``), and checks API bearer tokens (``authenticate``). Token values are
never stored or logged: only their sha256 hashes are kept.
"""

from .flows import OAuthError
from .server import AuthFailure, OAuthServer

__all__ = ["AuthFailure", "OAuthError", "OAuthServer"]
