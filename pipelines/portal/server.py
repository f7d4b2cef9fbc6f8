"""The portal on gunicorn, a production WSGI server: worker processes supervised by
one master, each worker answering with threads. Each worker validates one tiny
file when it starts, so the first region's verdict does not pay the imports."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


def warm(worker: Any) -> None:
    from pipelines.contract.template import template_csv
    from pipelines.portal import services
    from pipelines.portal.services import uploads

    header = template_csv(services.schema().contracts["incidents"], "fi")
    uploads.check(uploads.Upload("warm.csv", header), "01", services.default_year(), "fi")


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
            "post_worker_init": warm,
            # Several portals may run on one machine (tests, staging): no shared socket.
            "control_socket_disable": True,
        }
    ).run()
