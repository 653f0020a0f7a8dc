"""Test settings: fast hashing, no throttling lockouts between tests, tasks run through the real ORM broker."""

from syncportal.settings.base import *  # noqa: F403
from syncportal.settings.base import DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and not env("DATABASE_URL", default=""):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
AXES_FAILURE_LIMIT = 3
