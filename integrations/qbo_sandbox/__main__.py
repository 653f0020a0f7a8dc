"""``python -m integrations.qbo_sandbox --port 8765 --data var/qbo_sandbox.sqlite3 --test-hooks``.

Every SandboxConfig field can be set with ``--set name=value`` (e.g. ``--set throttle=false``).
"""

from __future__ import annotations

import argparse
import dataclasses

from .config import SandboxConfig
from .server import serve


def _coerce(field: dataclasses.Field, raw: str):
    default = field.default if field.default is not dataclasses.MISSING else None
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if field.name == "redirect_uris":
        return [part for part in raw.split(",") if part]
    return raw


def build_config(argv: list[str] | None = None) -> SandboxConfig:
    parser = argparse.ArgumentParser(prog="python -m integrations.qbo_sandbox", description=__doc__)
    parser.add_argument("--host", default=SandboxConfig.host)
    parser.add_argument("--port", type=int, default=SandboxConfig.port)
    parser.add_argument("--data", default=SandboxConfig.data_path, help="SQLite file (created if missing)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("--test-hooks", action="store_true", help="enable the /__sandbox write hooks")
    parser.add_argument("--public-url", default="", help="base URL clients use, if not http://host:port")
    parser.add_argument("--no-throttle", action="store_true", help="turn Intuit's rate limits off")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="any config field")
    args = parser.parse_args(argv)
    config = SandboxConfig(
        host=args.host, port=args.port, data_path=args.data, time_scale=args.time_scale,
        test_hooks=args.test_hooks, public_url=args.public_url,
    )  # fmt: skip
    if args.no_throttle:
        config.throttle = False
    fields = {f.name: f for f in dataclasses.fields(SandboxConfig)}
    for item in args.set:
        name, _, raw = item.partition("=")
        if name not in fields:
            parser.error(f"unknown setting {name!r}")
        setattr(config, name, _coerce(fields[name], raw))
    return config


def main(argv: list[str] | None = None) -> None:
    serve(build_config(argv))


if __name__ == "__main__":
    main()
