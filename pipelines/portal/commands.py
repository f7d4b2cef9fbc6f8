"""What `evstats serve`, `evstats users add` and `evstats tokens create` do: set the
portal up on a data directory, bring its database to the current migrations,
then act through the framework (its password hashing, its one-time links)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.portal.models import User


def setup(data_dir: str | None = None) -> None:
    """Django configured for this data directory, its tables created or migrated."""
    if data_dir:
        os.environ["EVSTATS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipelines.portal.settings")
    import django
    from django.core.management import call_command

    from pipelines.register.db import database_config, prepare_sqlite
    from pipelines.settings import load_settings

    settings = load_settings()
    ensure_secret_key(Path(settings.data_dir).resolve() / "portal")
    # Created 0600 here, before Django opens it: SQLite would make it 0644 (umask 022),
    # and it holds password hashes and token digests. Its -wal and -shm files take the
    # same mode from it.
    prepare_sqlite(database_config(settings))

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    # The rate limits' counters (a database cache: its table is not a migration's).
    call_command("createcachetable", verbosity=0)


def ensure_secret_key(portal_dir: Path) -> None:
    """Generate the signing key once; never overwrite it (sessions and links depend on it)."""
    path = portal_dir / "secret_key"
    if path.exists():
        return
    portal_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(50))


def add_user(
    email: str, region_code: str | None, role: str, password: str | None, lang: str = "fi"
) -> User:
    """A person with a password, or with none yet (they set it through a one-time link);
    `lang` is the language they read (their mail's words come in it first). Refusals are
    in the active language (`evstats users add` activates the command's)."""
    from django.contrib.auth.password_validation import validate_password

    from pipelines.portal.models import User
    from pipelines.portal.texts import t

    if role == User.SUBMITTER and not region_code:
        raise ValueError(t("cli_users_needs_region"))
    if User.objects.filter(email__iexact=email).exists():
        raise ValueError(t("cli_users_exists", email=email))
    user = User(
        email=email,
        role=role,
        region_code=region_code or "",
        lang=lang,
        # The analyst runs the collection: the framework's admin is theirs too.
        is_staff=role == User.ANALYST,
        is_superuser=role == User.ANALYST,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    return user


def sign_in_link(user: User, base_url: str) -> str:
    """A link that lets the user set their password once (Django's reset tokens: it
    stops working when the password is set, or after PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "welcome", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
    )
    return base_url.rstrip("/") + path


def create_token(region_code: str, name: str) -> str:
    from pipelines.portal.models import ApiToken

    _, token = ApiToken.create(region_code, name)
    return token


def read_password() -> str:
    """From a terminal, asked twice without echo (in the active language); from a pipe,
    its first line."""
    if sys.stdin.isatty():
        import getpass

        from pipelines.portal.texts import t

        first = getpass.getpass(t("cli_password_prompt"))
        if getpass.getpass(t("cli_password_again")) != first:
            raise ValueError(t("cli_passwords_differ"))
        return first
    return sys.stdin.readline().rstrip("\r\n")
