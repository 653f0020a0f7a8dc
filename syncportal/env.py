"""The environment, read once: ``.env`` at the project root (if any), then the process environment.

Every setting that differs between a laptop, CI and production is an environment variable documented
in README.md; defaults are the embedded demo (SQLite under ``var/`` and the local QBO sandbox).
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_dotenv = BASE_DIR / ".env"
if _dotenv.exists():
    environ.Env.read_env(str(_dotenv), overwrite=False)
