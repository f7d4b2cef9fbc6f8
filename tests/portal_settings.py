"""Django settings for the tests: the portal's own, on a temporary data directory,
with collection year 2023 (the fixtures' year) reopened so uploads are taken."""

import os
import tempfile
from dataclasses import replace

os.environ.setdefault("EVSTATS_SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)

from pipelines.portal.settings import *  # noqa: F403
from pipelines.portal.settings import EVSTATS

EVSTATS = replace(
    EVSTATS,
    data_dir=tempfile.mkdtemp(prefix="evstats-portal-tests-"),
    close_overrides={"2023": "2099-12-31"},
)
# Argon2 stays the hasher (the tests check it); its cost is the test's, not the user's.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
