"""Test settings: fast hashing, quick lockouts, an in-memory SQLite database unless DATABASE_URL is set."""

from syncportal.settings.base import *  # noqa: F403
from syncportal.settings.base import DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and not env("DATABASE_URL", default=""):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
AXES_FAILURE_LIMIT = 3
