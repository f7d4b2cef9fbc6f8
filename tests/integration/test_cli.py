"""The CLI as a region's data contact and an analyst use it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.cli.language import Language, given_language
from pipelines.contract.schema import load_schema
from tests.conftest import FIXTURES, GOOD_ROW, INCIDENT_HEADER
from tests.workbooks import filled_template

ROOT = Path(__file__).resolve().parents[2]


def test_validate_accepts_a_good_file(capsys):
    path = FIXTURES / "inbox" / "2023" / "05" / "incidents.csv"
    assert main(["validate", str(path), "--region", "05", "--year", "2023", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("incidents.csv: ACCEPTED (Incidents, 20 rows; 0 errors, 0 warnings)")


def test_validate_rejects_with_row_column_and_value_in_finnish(capsys):
    path = FIXTURES / "inbox" / "2023" / "06" / "incidents.csv"
    assert main(["validate", str(path), "--region", "06", "--year", "2023"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "incidents.csv: HYLÄTTY (Tapahtumat, 2 riviä; 3 virhettä, 0 varoitusta)"
    assert out[1] == "  Luettu merkistönä UTF-8, sarake-erotin «,»"
    assert out[2] == (
        "  VIRHE (rivi 2, sarake incident_time): ”25:00” ei ole kellonaika (muotoa 07:05 tai 7.05)."
    )


def test_validate_with_gx_gives_the_same_verdict(capsys):
    """`--gx` evaluates the suite with Great Expectations, as the pipeline's audit does."""
    path = str(FIXTURES / "inbox" / "2023" / "06" / "incidents.csv")
    assert main(["validate", path, "--region", "06", "--year", "2023", "--format", "json"]) == 1
    quick = json.loads(capsys.readouterr().out)
    args = ["validate", path, "--region", "06", "--year", "2023", "--format", "json", "--gx"]
    assert main(args) == 1
    assert json.loads(capsys.readouterr().out) == quick
    assert len(quick["issues"]) == 3


def test_validate_json(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text(f"{INCIDENT_HEADER}\n{GOOD_ROW}\n", encoding="utf-8")
    assert main(["validate", str(path), "--region", "07", "--format", "json", "--lang", "en"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"file", "kind", "region_code", "year", "accepted", "issues"}
    assert (result["kind"], result["region_code"], result["accepted"]) == ("incidents", "07", False)
    [issue] = result["issues"]
    assert issue == {
        "severity": "error",
        "row": 2,
        "column": "region_code",
        "value": "05",
        "rule": "region_mismatch",
        "message": "The row is for region 05, but the file was submitted for region 07.",
        "params": {"column": "region_code", "expected": "07"},  # what renders it in any language
    }


@pytest.fixture
def locale(monkeypatch):
    """Sets the user's locale as a shell would, with nothing else naming a language."""
    for name in ("EVSTATS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    return lambda value: monkeypatch.setenv("LANG", value)


def help_of(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("locale_name", "argv", "lines"),
    [
        (
            "fi_FI.UTF-8",
            ["validate", "--help"],
            [
                "käyttö: evstats validate [-h] [--region KOODI] [--year VUOSI]",
                "tarkista tiedosto ennen kuin lähetät sen",
                "argumentit:",
                "  TIEDOSTO              tarkistettava CSV-tiedosto tai täytetty Excel-pohja",
                "valinnat:",
                "  -h, --help            näytä tämä ohje ja lopeta",
                "  --lang {fi,sv,en}     viestien kieli (oletus: fi)",
                "  --all                 näytä kaikki havainnot, ei vain 50 ensimmäistä",
            ],
        ),
        (
            "sv_FI.UTF-8",
            ["validate", "--help"],
            [
                "användning: evstats validate [-h] [--region KOD] [--year ÅR]",
                "kontrollera en fil innan du skickar den",
                "alternativ:",
                "  -h, --help            visa den här hjälpen och avsluta",
                "  --all                 visa alla fynd, inte bara de 50 första",
            ],
        ),
        (
            "en_US.UTF-8",
            ["validate", "--help"],
            ["usage: evstats validate [-h] [--region CODE] [--year YEAR]", "options:"],
        ),
        (
            "fi_FI.UTF-8",
            ["validate", "--lang", "en", "--help"],
            ["usage: evstats validate [-h] [--region CODE] [--year YEAR]", "options:"],
        ),
        (
            "fi_FI.UTF-8",
            ["--lang", "en", "--help"],
            ["usage: evstats [-h] [--version] [--lang {fi,sv,en}] COMMAND ...", "options:"],
        ),
        (
            "C.UTF-8",
            ["template", "--help"],
            [
                "käyttö: evstats template [-h] [--lang {fi,sv,en}] [--out KANSIO]",
                "kirjoita alueille CSV- ja Excel-pohjat",
            ],
        ),
    ],
)
def test_help_is_in_the_language_of_the_option_or_the_locale(
    locale, capsys, locale_name, argv, lines
):
    locale(locale_name)
    shown = help_of(argv, capsys).splitlines()
    assert [line for line in lines if line not in shown] == []


def test_a_language_before_the_command_is_the_commands_when_it_has_none(tmp_path, capsys):
    """`evstats --lang sv validate FILE` speaks Swedish; the command's own --lang wins."""
    bad = tmp_path / "incidents.csv"
    bad.write_text("incident_id\n1\n", encoding="utf-8")
    assert main(["--lang", "sv", "validate", str(bad)]) == 1
    swedish = capsys.readouterr().out
    assert main(["--lang", "sv", "validate", str(bad), "--lang", "en"]) == 1
    english = capsys.readouterr().out
    assert swedish != english
    assert "AVVISAD" in swedish and "REJECTED" in english


def help_language(argv, environ, configured):
    return Language(environ, configured).of(given_language(argv), help=True)


def test_help_language_prefers_the_option_then_evstats_lang_then_the_locale():
    assert help_language(["validate", "--lang=sv"], {"LANG": "fi_FI.UTF-8"}, "fi") == "sv"
    assert help_language([], {"EVSTATS_LANG": "sv", "LANG": "en_US.UTF-8"}, "fi") == "sv"
    assert help_language([], {"LANGUAGE": "de:sv", "LANG": "fi_FI.UTF-8"}, "fi") == "sv"
    assert help_language([], {"LC_ALL": "en_GB.UTF-8", "LANG": "fi_FI.UTF-8"}, "fi") == "en"
    assert help_language([], {"LANG": "de_DE.UTF-8"}, "fi") == "en"
    assert help_language([], {"LANG": "C.UTF-8", "LC_ALL": "POSIX"}, "sv") == "sv"
    assert help_language(["--lang", "xx"], {}, "fi") == "fi"
    # The command's own --lang wins over the one before the command.
    assert help_language(["--lang", "sv", "validate", "--lang", "en"], {}, "fi") == "en"


def test_messages_follow_the_same_precedence_without_the_locale():
    language = Language({"LANG": "sv_FI.UTF-8"}, "fi")
    assert language.of(None) == "fi"
    assert language.of(None, help=True) == "sv"
    assert language.of("en") == "en"
    assert Language({"EVSTATS_LANG": "sv"}, "fi").of(None) == "sv"


@pytest.mark.parametrize(
    ("lang", "usage", "error"),
    [
        ("fi", "käyttö: evstats run", "evstats run: virhe: seuraavat argumentit puuttuvat: --year"),
        ("sv", "användning: evstats run", "evstats run: fel: följande argument krävs: --year"),
        (
            "en",
            "usage: evstats run",
            "evstats run: error: the following arguments are required: --year",
        ),
    ],
)
def test_argparses_own_words_are_in_the_language_asked_for(capsys, lang, usage, error):
    with pytest.raises(SystemExit) as exit_:
        main(["--lang", lang, "run"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(usage)
    assert err[-1] == error


def test_an_invalid_choice_is_named_in_finnish_and_argparse_speaks_english_again(capsys):
    import argparse

    with pytest.raises(SystemExit):
        main(["--lang", "fi", "validate", "x.csv", "--format", "xml"])
    assert capsys.readouterr().err.splitlines()[-1] == (
        "evstats validate: virhe: argumentti --format: virheellinen valinta: 'xml' "
        "(vaihtoehdot: 'text', 'json')"
    )
    # The lookup is put back: argparse elsewhere in the process is untouched.
    assert argparse._("the following arguments are required: %s") == (
        "the following arguments are required: %s"
    )


def test_validate_imports_neither_dagster_nor_django():
    """The registry imports every command's module to build the help, so the modules
    must leave their heavy imports to their handlers."""
    path = FIXTURES / "inbox" / "2023" / "05" / "incidents.csv"
    code = (
        "import sys\n"
        "from pipelines.cli import main\n"
        f"assert main(['validate', {str(path)!r}, '--region', '05', '--year', '2023']) == 0\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dagster', 'django'}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert proc.stdout.splitlines()[-1] == "[]"


def test_the_console_script_answers_in_swedish_under_a_swedish_locale(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "EVSTATS_L"))}
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "evstats"), "validate", "--help"],
        env={**env, "LANG": "sv_FI.UTF-8"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.startswith("användning: evstats validate")


def test_usage_errors_exit_2_in_the_users_language(tmp_path, capsys, locale):
    locale("en_US.UTF-8")
    assert main(["validate", str(tmp_path / "missing.csv")]) == 2
    assert "evstats validate: no such file: " in capsys.readouterr().err
    for argv in (["validate", "x.csv", "--region", "91"], ["validate", "x.csv", "--year", "20x3"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
    assert "unknown region code '91'" in capsys.readouterr().err
    locale("fi_FI.UTF-8")
    with pytest.raises(SystemExit):
        main(["validate", "x.csv", "--region", "91"])
    assert "tuntematon aluekoodi '91'; sallitut: 01, 02" in capsys.readouterr().err


def test_console_script_runs_a_year(tmp_path):
    """`evstats run` end to end in a fresh process, as an analyst runs it."""
    env = {**os.environ, "EVSTATS_DATA_DIR": str(tmp_path)}
    env.pop("DAGSTER_HOME", None)
    (tmp_path / "inbox" / "2023" / "07").mkdir(parents=True)
    (tmp_path / "inbox" / "2023" / "07" / "incidents.csv").write_text(INCIDENT_HEADER + "\n")
    with subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", "--year", "2023"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    ) as proc:
        stdout, stderr = proc.communicate()
    assert proc.returncode == 0, stderr
    # Nothing it started (the GX worker, multiprocessing's resource tracker) outlives it.
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
    assert "leaked semaphore" not in stderr  # the worker released what it held
    assert "✔ published_tables" in stderr
    national = (tmp_path / "reports" / "2023" / "tables" / "national.csv").read_text()
    assert national.splitlines()[1] == "2023,0,0,,,0"  # 07 sent no missions file: not complete
    assert str(tmp_path / "reports" / "2023" / "tables" / "national.csv") in stdout
    # The portal's "last statistics run" comes from the register: the command noted it.
    from pipelines.register.db import connect
    from pipelines.settings import Settings

    db = connect(Settings(data_dir=str(tmp_path)))
    from pipelines.register.runs import last_run

    assert last_run(2023, db).outcome == "success"


def test_dagster_definitions_validate():
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DAGSTER_HOME": "", "EVSTATS_DATA_DIR": "/nonexistent-not-used"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation successful" in proc.stdout + proc.stderr


def test_history_lists_verdicts_and_the_file_in_force(tmp_path, capsys):
    import shutil

    from pipelines.definitions import JOB_NAME, build_defs
    from pipelines.settings import Settings

    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    job = build_defs(Settings(data_dir=str(tmp_path))).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    history = ["history", "--year", "2023", "--region", "06", "--data-dir", str(tmp_path)]
    assert main(["--lang", "en", *history, "--issues"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "id", "region", "seq", "file", "kind", "channel", "state", "rows", "errors",
        "warnings", "received",
    ]  # fmt: skip
    rows = {line.split()[3]: line.split() for line in lines[1:] if not line.startswith(" ")}
    assert rows["incidents.csv"][5:9] == ["folder", "rejected", "2", "3"]
    assert rows["missions.csv"][5:9] == ["folder", "in_force", "12", "0"]
    [time] = [line for line in lines if line.startswith("      ERROR row 2 incident_time: ")]
    assert "is not a time" in time  # the register's codes rendered in the reader's language
    assert sum(1 for line in lines if line.startswith("      ERROR")) == 3
    # The same register in Finnish: the headings and the issues' words, not the codes.
    assert main(["--lang", "fi", *history, "--issues"]) == 0
    finnish = capsys.readouterr().out.splitlines()
    assert finnish[0].split() == [
        "id", "alue", "nro", "tiedosto", "tyyppi", "kanava", "tila", "rivit", "virheet",
        "varoitukset", "saapunut",
    ]  # fmt: skip
    [time] = [line for line in finnish if line.startswith("      VIRHE rivi 2 incident_time: ")]
    assert "ei ole kellonaika" in time
    assert main(["--lang", "sv", "history", "--year", "2022", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "inga inlämningar för 2022"


def test_template_command_writes_three_files(tmp_path, capsys):
    assert main(["template", "--lang", "fi", "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["incidents_template_fi.csv", "missions_template_fi.csv", "template_fi.xlsx"]


def test_a_verdict_of_one_row_and_one_error_says_so_in_the_singular(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text(f"{INCIDENT_HEADER}\n{GOOD_ROW}\n", encoding="utf-8")
    assert main(["validate", str(path), "--region", "07"]) == 1
    assert capsys.readouterr().out.startswith(
        "mine.csv: HYLÄTTY (Tapahtumat, 1 rivi; 1 virhe, 0 varoitusta)"
    )


def test_evstats_lang_sets_the_language_of_messages_too(capsys, locale, monkeypatch):
    locale("fi_FI.UTF-8")
    monkeypatch.setenv("EVSTATS_LANG", "sv")
    path = FIXTURES / "inbox" / "2023" / "05" / "incidents.csv"
    assert main(["validate", str(path), "--region", "05", "--year", "2023"]) == 0
    assert capsys.readouterr().out.startswith("incidents.csv: GODKÄND (Händelser, 20 rader;")


def test_a_file_that_could_not_be_read_is_not_said_to_have_rows(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert main(["validate", str(path), "--lang", "en"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "empty.csv: REJECTED (unknown file kind; 1 error, 0 warnings)",
        "  FATAL: The file is empty: it has no header row.",
    ]


def test_a_tab_separator_is_named_in_the_messages_language(tmp_path, capsys):
    path = tmp_path / "tabs.csv"
    path.write_text("region_code\tyear\tmonth\tmissions\n05\t2023\t1\t100\n", encoding="utf-8")
    main(["validate", str(path)])
    assert capsys.readouterr().out.splitlines()[1] == (
        "  Luettu merkistönä UTF-8, sarake-erotin «sarkain»"
    )


def test_the_filled_workbook_template_is_validated_and_its_sheet_named(tmp_path, capsys):
    row = GOOD_ROW.replace(",A,", ",E,").split(",")
    path = tmp_path / "tapahtumat.xlsx"
    path.write_bytes(filled_template(load_schema(), "fi", {"incidents": [row]}))
    assert main(["validate", str(path), "--region", "05", "--year", "2023"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "tapahtumat.xlsx: HYLÄTTY (Tapahtumat, 1 rivi; 1 virhe, 0 varoitusta)",
        "  Luettu Excel-työkirjan välilehdeltä «Tapahtumat»",
    ]
    assert main(["validate", str(path), "--region", "05", "--format", "json"]) == 1
    [issue] = json.loads(capsys.readouterr().out)["issues"]
    assert (issue["row"], issue["column"], issue["rule"]) == (2, "urgency", "code")


def test_a_run_at_the_command_line_waits_for_the_daemons_run(capsys):
    """A run of the yearly job already writing the warehouse is waited for, not raced."""
    import threading
    import time

    import dagster as dg

    from pipelines.assets.sensors import WRITER_TAG
    from pipelines.cli.pipeline import CLI_TAG, wait_for_writers
    from pipelines.cli.words import Words

    say = Words(load_schema(), "en", "fi")

    with dg.DagsterInstance.ephemeral() as instance:
        other = dg.DagsterRun(
            job_name="yearly_statistics", status=dg.DagsterRunStatus.STARTED, tags=WRITER_TAG
        )
        instance.add_run(other)
        ends = threading.Timer(1.5, lambda: instance.report_run_failed(other))
        started = time.monotonic()
        ends.start()
        wait_for_writers(instance, say=say, poll_seconds=0.1)
        assert time.monotonic() - started >= 1.5
        assert f"waiting for run {other.run_id}" in capsys.readouterr().err
        wait_for_writers(instance, say=say, poll_seconds=0.1)  # nothing runs now: no wait, no word
        assert capsys.readouterr().err == ""
        # A run of this command killed at the prompt is never waited for; a launched run
        # that never ends is reported after the limit.
        instance.add_run(
            dg.DagsterRun(
                job_name="yearly_statistics",
                status=dg.DagsterRunStatus.STARTED,
                tags={**WRITER_TAG, **CLI_TAG},
            )
        )
        wait_for_writers(instance, say=say, poll_seconds=0.1)
        stuck = dg.DagsterRun(
            job_name="yearly_statistics", status=dg.DagsterRunStatus.STARTED, tags=WRITER_TAG
        )
        instance.add_run(stuck)
        with pytest.raises(ValueError, match=f"run {stuck.run_id} has been writing"):
            wait_for_writers(instance, say=say, poll_seconds=0.1, limit_seconds=0.3)


def test_submit_answers_in_the_language_asked_for(tmp_path, capsys):
    """The verdict and the receipt in fi, sv and en; the state stays the register's code."""
    path = str(FIXTURES / "inbox" / "2023" / "05" / "incidents.csv")
    submit = ["submit", path, "--region", "05", "--year", "2023", "--data-dir", str(tmp_path)]
    assert main(["--lang", "sv", *submit]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "kvitto 1: in_force"
    assert main([*submit, "--lang", "fi"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "kuitti 2: unchanged (toistaa kuittia 1)"
    assert main(["--lang", "sv", *submit, "--lang", "en"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("incidents.csv: ACCEPTED (Incidents, 20 rows;")
    assert out[-1] == "receipt 3: unchanged (repeats receipt 1)"


@pytest.mark.parametrize(
    ("lang", "incidents", "headline"),
    [
        (
            "fi",
            "26",
            "2023: 26 tapahtumaa, 75\u00a0000 tehtävää, 0,35 / 1 000 tehtävää, 4 aluetta raportoi",
        ),
        (
            "sv",
            "1",
            "2023: 1 händelse, 75\u00a0000 uppdrag, 0,35 per 1 000 uppdrag, 4 områden rapporterar",
        ),
        (
            "en",
            "",
            "2023: – incidents, 75,000 missions, 0.35 per 1,000 missions, 4 regions reporting",
        ),
    ],
)
def test_a_run_ends_with_the_years_headline_in_the_users_language(
    tmp_path, capsys, lang, incidents, headline
):
    from pipelines.cli.pipeline import report_outputs
    from pipelines.cli.words import Words
    from pipelines.settings import Settings

    settings = Settings(data_dir=str(tmp_path))
    tables = settings.tables_dir(2023)
    tables.mkdir(parents=True)
    (tables / "national.csv").write_text(
        "year,incidents,missions,incidents_per_1000_missions,missions_per_incident,"
        f"regions_reporting\n2023,{incidents},75000,0.3467,2884.6,4\n",
        encoding="utf-8",
    )
    report_outputs(settings, [2023, 2022], Words(load_schema(), lang, "fi"))
    no_tables = {"fi": "ei julkaistuja taulukoita", "sv": "inga publicerade tabeller"}
    assert capsys.readouterr().out.splitlines() == [
        headline,
        f"  {tables / 'national.csv'}",
        f"2022: {no_tables.get(lang, 'no published tables')}",
    ]


def test_every_translated_argparse_message_is_one_argparse_still_writes():
    """argparse finds a translation by its English text: a Python whose argparse words a
    message differently would silently get English back, so the texts are checked
    against the argparse in use."""
    import argparse
    import inspect
    import re

    from pipelines.cli.words import ARGPARSE_WORDS

    source = inspect.getsource(argparse)
    assert [m for m in ARGPARSE_WORDS if f"_({m!r})" not in source] == []
    schema = load_schema()
    placeholders = re.compile(r"%(?:\(\w+\))?[sr]")
    for message, key in ARGPARSE_WORDS.items():
        # The same placeholders in every language, or argparse's % would fail.
        wanted = sorted(placeholders.findall(message))
        found = {
            lang: sorted(placeholders.findall(schema.text(key, lang)))
            for lang in ["fi", "sv", "en"]
        }
        assert found == {"fi": wanted, "sv": wanted, "en": wanted}, key
    assert schema.text("argparse_error", "en") == "%(prog)s: error: %(message)s\n"
