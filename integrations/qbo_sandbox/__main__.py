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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=SandboxConfig.host)
    parser.add_argument("--port", type=int, default=SandboxConfig.port)
    parser.add_argument("--data", default=SandboxConfig.data_path, help="SQLite file (created if missing)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("--test-hooks", action="store_true", help="enable the /__sandbox write hooks")
    parser.add_argument("--public-url", default="", help="base URL clients use, if not http://host:port")
    parser.add_argument("--no-throttle", action="store_true", help="turn Intuit's rate limits off")
    parser.add_argument("--webhook-url", default="", help="where change notifications are POSTed")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="any config field")


def config_from_options(options: dict) -> SandboxConfig:
    """Build the config from parsed options (argparse namespace vars or a Django command's options)."""
    config = SandboxConfig(
        host=options["host"], port=options["port"], data_path=options["data"],
        time_scale=options["time_scale"], test_hooks=options["test_hooks"], public_url=options["public_url"],
    )  # fmt: skip
    if options["no_throttle"]:
        config.throttle = False
    if options.get("webhook_url"):
        config.webhook_url = options["webhook_url"]
    fields = {f.name: f for f in dataclasses.fields(SandboxConfig)}
    for item in options.get("set") or []:
        name, _, raw = item.partition("=")
        if name not in fields:
            raise ValueError(f"unknown sandbox setting {name!r}")
        setattr(config, name, _coerce(fields[name], raw))
    return config


def build_config(argv: list[str] | None = None) -> SandboxConfig:
    parser = argparse.ArgumentParser(prog="python -m integrations.qbo_sandbox", description=__doc__)
    add_arguments(parser)
    try:
        return config_from_options(vars(parser.parse_args(argv)))
    except ValueError as exc:
        parser.error(str(exc))


def main(argv: list[str] | None = None) -> None:
    serve(build_config(argv))


if __name__ == "__main__":
    main()
