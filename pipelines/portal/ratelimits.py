"""How many files one API token, or one person in the pages, may send a minute.

A token once stored 48 uploads a second until the disk was full. Every file sent (an
upload or a check: each costs a verdict, an upload also disk) counts against
`uploads_per_minute` of the settings, per token for the API and per account for the
pages; past it the answer is 429 with `Retry-After`, before the body is read.

django-ratelimit counts, in fixed one-minute windows, in a cache that every gunicorn
worker (and every replica of the portal) sees: the register's own database, through
Django's database cache (`CounterCache`, table created by `evstats migrate`). The
alternative, a file-based cache under the data directory, is shared only by processes
on one host and over NFS relies on its locking; the database is already what the
workers agree on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from pipelines.portal import services
from pipelines.portal.texts import t

if TYPE_CHECKING:
    from pipelines.portal.models import ApiToken

# The ratelimit group every file-bearing request counts in (uploads and checks alike).
FILES = "files"


class CounterCache(DatabaseCache):
    """Django's database cache with an `incr` that two workers cannot interleave.

    The framework's `incr` is a read and then a write: two workers counting the same
    window at once would both write n + 1 and let one request go uncounted. Here both
    happen in one transaction that holds the row: SQLite's immediate transactions
    (the register's `transaction_mode`) take the write lock when they begin,
    PostgreSQL's `SELECT … FOR UPDATE` locks the counter's row.
    """

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                quote = connection.ops.quote_name
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT 1 FROM {quote(self._table)} "
                        f"WHERE {quote('cache_key')} = %s FOR UPDATE",
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)


def wait_seconds(request: HttpRequest, who: str) -> int | None:
    """Count this POST against `who`'s minute: None while within the limit, else the
    seconds until the window ends (what `Retry-After` says). A register that does not
    answer is refused as every other use of it is (503), not blamed on the client."""
    limit = services.evstats().uploads_per_minute
    try:
        usage = get_usage(
            request,
            group=FILES,
            key=lambda _group, _request: who,
            rate=f"{limit}/m",
            method="POST",
            increment=True,
        )
    except DatabaseError:
        raise services.Refused(503, "register_unavailable") from None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def per_token(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For an API view that `with_token` has given its token and language: a POST past
    the token's limit is refused with 429, answered in JSON as every refusal of the API."""

    @wraps(view)
    def wrapped(
        request: HttpRequest, token: ApiToken, lang: str, *args: object, **kwargs: object
    ) -> HttpResponse:
        seconds = wait_seconds(request, f"token:{token.pk}")
        if seconds is not None:
            raise services.Refused(
                429,
                "rate_limited",
                headers={"Retry-After": str(seconds)},
                limit=services.evstats().uploads_per_minute,
                seconds=seconds,
            )
        return view(request, token, lang, *args, **kwargs)

    return wrapped


def per_account(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a page that takes a file from a signed-in person: past their limit, the
    refusal page in their language, status 429."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            seconds = wait_seconds(request, f"user:{request.user.pk}")
        except services.Refused as exc:
            return render(
                request, "portal/refused.html", {"message": t(exc.key)}, status=exc.status
            )
        if seconds is None:
            return view(request, *args, **kwargs)
        limit = services.evstats().uploads_per_minute
        told = t("rate_limited", limit=limit, seconds=seconds)
        response = render(request, "portal/refused.html", {"message": told}, status=429)
        response["Retry-After"] = str(seconds)
        return response

    return wrapped
