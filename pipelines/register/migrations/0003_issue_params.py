"""Receipts keep their issues as rule codes and parameters, rendered in the reader's
language when shown (`contract.issues.render`); before, each kept its message in the
language of the upload.

Each stored message is read back against its rule's wordings in that language (every
plural form; the wordings of 2026 that have changed since are listed below), and its
placeholders become the parameters. Words that depended on the language (allowed
codes as labels, kinds of personal data) are known here only in the upload's
language, so they stay so. A message that matches no wording (a rule renamed, a text
edited by hand) keeps its text, which `render` then shows as it is: nothing is
guessed. Going back renders each message again in the upload's language.
"""

import re
from string import Formatter

from django.db import migrations

from pipelines.contract.schema import load_schema

# Wordings a receipt may hold that `schemas/messages.yaml` no longer has: two numbers
# side by side ("vuonna 2024 23") were reworded in December 2026.
FORMER_WORDINGS = {
    ("incidents_changed", "fi"): (
        "Tiedostossa on {found} tapahtuma, kun alueella oli vuonna {previous_year} {expected}. "
        "Näin suuri muutos on epätavallinen: tarkista, ettei tapahtumia puutu tai ole kahteen "
        "kertaan, tai selitä muutos.",
        "Tiedostossa on {found} tapahtumaa, kun alueella oli vuonna {previous_year} {expected}. "
        "Näin suuri muutos on epätavallinen: tarkista, ettei tapahtumia puutu tai ole kahteen "
        "kertaan, tai selitä muutos.",
    ),
    ("incidents_changed", "sv"): (
        "Filen har {found} händelse, medan området hade {expected} år {previous_year}. En så "
        "stor förändring är ovanlig: kontrollera att inga händelser saknas eller finns två "
        "gånger, eller förklara förändringen.",
        "Filen har {found} händelser, medan området hade {expected} år {previous_year}. En så "
        "stor förändring är ovanlig: kontrollera att inga händelser saknas eller finns två "
        "gånger, eller förklara förändringen.",
    ),
    ("incidents_zero", "fi"): (
        "Tiedostossa on {found} tapahtumaa, kun alueella oli vuonna {previous_year} {expected}. "
        "Tarkista, että tiedosto on täydellinen, tai selitä muutos.",
    ),
    ("incidents_zero", "sv"): (
        "Filen har {found} händelser, medan området hade {expected} år {previous_year}. "
        "Kontrollera att filen är fullständig, eller förklara förändringen.",
    ),
    ("missions_changed", "sv"): (
        "Årets antal uppdrag är {found} uppdrag, mot {expected} år {previous_year} "
        "(förändring {change} %). Kontrollera månadernas antal eller förklara förändringen.",
    ),
}
RECORD = ("severity", "row", "column", "value", "rule")


def _forms(form: object) -> list[str]:
    return [form] if isinstance(form, str) else [f for v in form.values() for f in _forms(v)]


def _pattern(wording: str) -> re.Pattern[str]:
    """A wording as a regular expression: its text literally, each placeholder a group
    (a placeholder met again must read the same)."""
    parts, seen = [], set()
    for literal, name, _, _ in Formatter().parse(wording):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
            seen.add(name)
    return re.compile("".join(parts), re.DOTALL)


def _number(text: str) -> object:
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def read_params(schema, issue: dict, lang: str) -> dict | None:
    """The parameters a stored message was rendered from, or None if no wording of its
    rule in `lang` reads as it."""
    rule = schema.rules.get(issue.get("rule"))
    if rule is None or lang not in rule.messages.forms:
        return None
    wordings = [*_forms(rule.messages.forms[lang]), *FORMER_WORDINGS.get((rule.name, lang), ())]
    for wording in wordings:
        found = _pattern(wording).fullmatch(issue.get("message", ""))
        if found is not None:
            params = {k: _number(v) for k, v in found.groupdict().items() if k != "value"}
            return {"column": issue.get("column"), **params}
    return None


def to_params(apps, schema_editor):
    Submission = apps.get_model("register", "Submission")
    schema = load_schema()
    for sub in Submission.objects.using(schema_editor.connection.alias).iterator():
        issues = []
        for issue in sub.issues:
            params = None if "params" in issue else read_params(schema, issue, sub.lang)
            if params is None:
                issues.append(issue)
            else:
                issues.append({**{k: issue.get(k) for k in RECORD}, "params": params})
        if issues != sub.issues:
            sub.issues = issues
            sub.save(update_fields=["issues"])


def to_messages(apps, schema_editor):
    from pipelines.contract.issues import render

    Submission = apps.get_model("register", "Submission")
    schema = load_schema()
    for sub in Submission.objects.using(schema_editor.connection.alias).iterator():
        issues = [
            {k: v for k, v in render(schema, i, sub.lang).as_dict().items() if k != "params"}
            for i in sub.issues
        ]
        if issues != sub.issues:
            sub.issues = issues
            sub.save(update_fields=["issues"])


class Migration(migrations.Migration):
    dependencies = [("register", "0002_lifecycle")]

    operations = [migrations.RunPython(to_params, to_messages)]
