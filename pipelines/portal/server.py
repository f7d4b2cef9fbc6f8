"""The portal on gunicorn, a production WSGI server: worker processes supervised by
one master, each worker answering with threads. Each worker validates one tiny
file when it starts, so the first region's verdict does not pay the imports."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

# What a logged path keeps as it is: RFC 3986's unreserved characters, its sub-delimiters,
# ':', '@' and '/'. Everything else (spaces, quotes, '%', control characters, bytes past
# ASCII) is percent-encoded, so a line of the log is one request whatever the path held.
PATH_KEPT = "/:@!$&'()*+,;=-._~"
# The one-time sign-in link, `welcome/<uidb64>/<token>/` in urls.py: whoever reads the log
# could set the person's password with it. Django's second step, `set-password`, has none.
SIGN_IN_TOKEN = re.compile(r"^(/welcome/[^/]*/)(?!set-password/)[^/]+")


def warm(worker: Any) -> None:
    from pipelines.contract.template import template_csv
    from pipelines.portal import services
    from pipelines.portal.services import uploads

    header = template_csv(services.schema().contracts["incidents"], "fi")
    uploads.check(uploads.Upload("warm.csv", header), "01", services.default_year(), "fi")


def loggable_path(path: str) -> str:
    """The request's path as the access log writes it: percent-encoded again and without
    the sign-in token. gunicorn writes the decoded path as it is, so `%0a` in a URL
    forged a second line, and ANSI escapes and NUL reached the log raw."""
    # A WSGI path is the request's bytes decoded as Latin-1: encoded back the same way.
    escaped = quote(path.encode("latin-1", errors="replace"), safe=PATH_KEPT)
    return SIGN_IN_TOKEN.sub(r"\1[token]", escaped)


class AccessLog(Logger):
    """gunicorn's logger whose `%(U)s`, the path, is `loggable_path`'s."""

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = loggable_path(environ.get("PATH_INFO") or "")
        return atoms


class PortalServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from pipelines.portal.wsgi import application

        return application


def serve(host: str, port: int, workers: int, threads: int) -> None:
    PortalServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 120,
            "graceful_timeout": 20,
            # Refused by the server before the portal sees them: a request line (method,
            # path and query) over 2 KB, more than 50 headers or one over 4 KB. The
            # portal's longest address is a one-time link of about 80 characters; a
            # browser sends about 15 headers, a proxy adds a few.
            "limit_request_line": 2048,
            "limit_request_fields": 50,
            "limit_request_field_size": 4096,
            "accesslog": "-",
            # Path and status only: the query string never carries more than a year.
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
            "logger_class": AccessLog,
            "post_worker_init": warm,
            # Several portals may run on one machine (tests, staging): no shared socket.
            "control_socket_disable": True,
        }
    ).run()
