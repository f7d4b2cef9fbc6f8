"""A compact console logger for the CLI: one line per finished step, plus the
assets' own messages, instead of Dagster's full event stream."""

import logging
import sys
import time

import dagster as dg

SHOWN_EVENTS = {"STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"}


class ProgressHandler(logging.Handler):
    def __init__(self, stream: object = None) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.started = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", {})
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        message = meta.get("orig_message") or record.getMessage()
        elapsed = f"{time.monotonic() - self.started:6.1f}s"
        if event is not None:
            kind = event.event_type_value
            if kind == "STEP_SUCCESS":
                line = f"{elapsed} ✔ {step}"
            elif kind in SHOWN_EVENTS:
                line = f"{elapsed} ✘ {step}: {message}"
            elif kind == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
                line = f"{elapsed} ! check {event.event_specific_data.check_name} did not pass"
            else:
                return
        elif record.levelno >= logging.INFO:
            mark = "!" if record.levelno >= logging.WARNING else " "
            line = f"{elapsed} {mark}   {step}: {message}"
        else:
            return
        print(line, file=self.stream, flush=True)


@dg.logger(description="One line per step; used by the evstats CLI.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("evstats.progress", level=logging.DEBUG)
    logger.addHandler(ProgressHandler())
    return logger
