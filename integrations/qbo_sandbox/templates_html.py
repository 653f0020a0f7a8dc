"""Tiny HTML helpers for the sandbox's few browser pages (the OAuth consent page, error pages).

Every value that reaches a page goes through ``esc``; callers build markup only from literals and
escaped values, so nothing a client sends is ever reflected raw.
"""

from __future__ import annotations

import html

from werkzeug.wrappers import Response

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f8;color:#1f2328;margin:0}
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:8px;padding:2rem;
     box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.3rem;margin-top:0} .muted{color:#59636e;font-size:.9rem}
ul.scopes{padding-left:1.2rem} label{display:block;margin:.4rem 0}
.buttons{display:flex;gap:.75rem;margin-top:1.5rem}
button{font-size:1rem;padding:.55rem 1.3rem;border-radius:6px;border:1px solid #8c959f;
       background:#fff;cursor:pointer}
button.primary{background:#2ca01c;border-color:#2ca01c;color:#fff}
.error{color:#b42318}
"""


def esc(value: object) -> str:
    """HTML-escape any value (quotes included, so it is also safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body_html: str, status: int = 200) -> Response:
    """A complete HTML page; ``title`` is escaped here, ``body_html`` must already be safe."""
    document = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · QBO sandbox</title><style>{_STYLE}</style></head>"
        f"<body><main>{body_html}</main></body></html>"
    )
    response = Response(document, status=status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def hidden_inputs(fields: dict[str, str]) -> str:
    return "".join(f'<input type=hidden name="{esc(k)}" value="{esc(v)}">' for k, v in fields.items())
