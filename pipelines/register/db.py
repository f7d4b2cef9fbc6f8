"""Where the register lives, and Django set up to reach it outside the portal.

The portal is a Django project and has the register as its default database. The
pipeline (a Dagster run, a sensor, the command line) needs the same tables
without the web project's settings (no secret key, no middleware): `connect`
configures Django lazily, on first use and never at import, with the few apps
the register's tables need (whatever `DJANGO_SETTINGS_MODULE` says), migrates
the database once per process, and names the database alias to use. When Django
is already configured for another database (the portal's tests, a process
serving two data directories), the register of these settings gets an alias of
its own.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from pipelines.settings import Settings

# The apps whose tables the register uses: people and tokens are the portal's (a
# receipt names who sent it), the register's own models are the rest.
APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "pipelines.portal",
    "pipelines.register",
]
_lock = threading.Lock()
_migrated: set[str] = set()


def database_config(settings: Settings) -> dict[str, Any]:
    """The register's database: `EVSTATS_DATABASE_URL` (PostgreSQL wherever processes run
    on more than one host), else SQLite in the data directory."""
    url = os.environ.get("EVSTATS_DATABASE_URL")
    if url:
        import dj_database_url

        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path(settings.data_dir).resolve() / "portal" / "portal.sqlite3",
        # Portal workers and a pipeline run write at once: WAL lets readers go on, an
        # immediate transaction queues writers instead of failing them.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def prepare_sqlite(config: dict[str, Any]) -> None:
    """The SQLite file's folder, and the file itself created owner-only: it holds
    password hashes and token digests."""
    if config["ENGINE"] != "django.db.backends.sqlite3":
        return
    path = Path(config["NAME"])
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _same_database(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    return all(str(a.get(k) or "") == str(b.get(k) or "") for k in keys)


def connect(settings: Settings) -> str:
    """The alias of the register of `settings`, its tables migrated once per process."""
    name = alias(settings)
    with _lock:
        if name not in _migrated:
            from django.core.management import call_command

            call_command("migrate", database=name, verbosity=0, interactive=False)
            _migrated.add(name)
    return name


def alias(settings: Settings) -> str:
    """The database alias of the register of `settings`, as it is (not migrated);
    Django configured first if nothing has configured it."""
    import django
    from django.conf import settings as django_settings

    config = database_config(settings)
    with _lock:
        # A settings module named in the environment is not taken: the pipeline needs the
        # register, never the web project (a command started by the portal's tests would
        # otherwise inherit theirs). A process that configured Django already keeps it.
        if not django_settings.configured:
            prepare_sqlite(config)
            django_settings.configure(
                INSTALLED_APPS=APPS,
                DATABASES={"default": config},
                AUTH_USER_MODEL="portal.User",
                USE_TZ=True,
                TIME_ZONE="Europe/Helsinki",
                DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
            )
        django.setup()
        from django.db import connections

        name = "default"
        if not _same_database(connections.settings["default"], config):
            name = (
                "register_" + hashlib.sha256(repr(sorted(config.items())).encode()).hexdigest()[:12]
            )
            if name not in connections.settings:
                prepare_sqlite(config)
                connections.settings[name] = {
                    **connections.settings["default"],
                    **config,
                    "OPTIONS": config.get("OPTIONS", {}),
                    "TEST": {},
                }
    return name
