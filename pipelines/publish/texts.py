"""The report's words: `reports/texts.yaml` in one language, with parameters and plural
forms. Every writer of the publish stage (the report's view, the PX files, the open
dataset's description) speaks through `Texts`, so one key reads the same everywhere."""

from __future__ import annotations

from functools import cache

from pipelines.contract import i18n
from pipelines.contract.schema import read_yaml
from pipelines.publish.report_data import REPORTS_DIR
from pipelines.publish.tables import STATUS_FLAGS


@cache
def report_texts() -> dict[str, i18n.Text]:
    """`reports/texts.yaml`, parsed and checked once per process, not once per language."""
    return i18n.load_texts(read_yaml(REPORTS_DIR / "texts.yaml"))


class Texts:
    """The report's texts in one language, with their parameters; plural forms are
    chosen by the same resolver as the contacts' messages."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.all = report_texts()

    def __call__(self, key: str, **params: object) -> str:
        return self.all[key].format(self.lang, **params)

    def flags(self) -> dict[str, str]:
        """The published `flag` codes in words."""
        return {
            k: self(f"flag_{k}") for k in (*STATUS_FLAGS.values(), "suppressed", "unreliable") if k
        }
