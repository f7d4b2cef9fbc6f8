"""`evstats demo-portal`: a portal a newcomer can try at once. Demo accounts for an
analyst and two regions' contacts, printed with how to sign in; earlier years received,
signed off and released; the year being collected today (the portal's own rule,
`services.default_year`) received for most regions only, so the collection view has
regions submitted and regions missing, and a contact has a year to upload for.

Everything goes through the register's own steps (the folder channel, explanations,
reviews, a release request made by a run), as an analyst's year would: nothing here
writes a table behind the lifecycle's back.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pipelines.cli.pipeline import report_outputs, run_year
from pipelines.cli.words import Words

if TYPE_CHECKING:
    from pipelines.settings import Settings

# The regions whose data contacts get demo accounts: one that has sent the open year's
# files and one, Swedish-speaking, that has not yet (it has something to try).
SUBMITTED_CONTACT = "05"
MISSING_CONTACT = "17"
# Regions that have sent nothing yet for the open year.
MISSING_REGIONS = frozenset({"03", "11", "16", MISSING_CONTACT, "20"})
ANALYST = "analyytikko@demo.example"
RELEASED_YEARS = 3


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    region_code: str | None
    lang: str


ACCOUNTS = (
    DemoAccount(ANALYST, "analyst", None, "fi"),
    DemoAccount(f"kontakti@alue{SUBMITTED_CONTACT}.demo.example", "submitter", "05", "fi"),
    DemoAccount(f"kontakti@alue{MISSING_CONTACT}.demo.example", "submitter", "17", "sv"),
)


def calibrated(cal: dict, years: list[int]) -> dict:
    """The calibration with every year asked for: a year it does not know takes the
    totals of the nearest earlier year it does (the demo needs today's open year)."""
    known = sorted(int(y) for y in cal["years"])
    filled = dict(cal["years"])
    for year in years:
        earlier = [k for k in known if k <= year] or known[:1]
        filled.setdefault(str(year), cal["years"][str(earlier[-1])])
    return {**cal, "years": filled}


def accounts() -> list[tuple[DemoAccount, str]]:
    """The demo accounts, each with a new generated password (printed once, never
    stored in the clear): a demo directory's accounts are as safe as real ones."""
    from pipelines.portal import commands
    from pipelines.portal.models import User

    made = []
    for account in ACCOUNTS:
        password = secrets.token_urlsafe(12)
        user = User.objects.filter(email__iexact=account.email).first()
        if user is None:
            commands.add_user(
                account.email, account.region_code, account.role, password, account.lang
            )
        else:
            user.set_password(password)
            user.save()
        made.append((account, password))
    return made


def sign_off(year: int, reason: str) -> None:
    """Every region with data in force explained and accepted, as the analyst and the
    regions would in the portal (warnings answered with `reason`)."""
    from pipelines.portal.models import User
    from pipelines.portal.services import plausibility_rules, schema
    from pipelines.register import lifecycle
    from pipelines.register.receipts import in_force
    from pipelines.register.review import decide, explain, state_of, unexplained

    analyst = User.objects.get(email=ANALYST)
    reasons = set(schema().codelists["explanation_reasons"].codes)
    for region, files in sorted(in_force(year).items()):
        if state_of(year, region) in (lifecycle.ACCEPTED, lifecycle.RELEASED):
            continue
        for sub in files.values():
            for warning in unexplained(sub, plausibility_rules()):
                explain(
                    sub, warning["rule"], warning["row"], reason, "", None, reasons,
                    plausibility_rules(),
                )  # fmt: skip
        decide(region, year, "accepted", "", analyst, plausibility_rules())


def release(settings: Settings, year: int, args: argparse.Namespace) -> bool:
    """The year received, signed off and released by a run, unless already released."""
    from pipelines.assets.sensors import release_run_config
    from pipelines.cli.release import close_unfinished
    from pipelines.portal.services import schema
    from pipelines.publish.release import latest_number
    from pipelines.register.models import Release
    from pipelines.register.releases import request_release
    from pipelines.settings import today
    from pipelines.validate.receipt import receive_folder

    if Release.objects.filter(year=year, state=Release.RELEASED).exists():
        return True
    receive_folder(settings, year, schema())
    sign_off(year, "real_change")
    request = request_release(year, "", today(), latest_number(settings.releases_dir(year)))
    config = release_run_config(request.id, request.number, request.date.isoformat(), "")
    ok = run_year(settings, year, verbose=args.verbose, say=args.say, release=config)
    return close_unfinished(request.id).state == Release.RELEASED and ok


def add_parser(name: str, sub: Any, t: Words) -> None:
    """The sub-parser of `demo-portal`: the earlier years to release may be named."""
    parser, _, options = t.parser(
        sub.add_parser, name, help=t("help_demo_portal"), description=t("help_demo_portal")
    )
    options.add_argument(
        "--years", type=t.year, nargs="+", metavar=t.metavar("year"),
        help=t("help_demo_portal_years"),
    )  # fmt: skip
    options.add_argument("--data-dir", metavar=t.metavar("folder"), help=t("help_data_dir"))
    options.add_argument("--verbose", action="store_true", help=t("help_verbose"))
    parser.set_defaults(handler=cmd_demo_portal)


def cmd_demo_portal(args: argparse.Namespace) -> int:
    """Accounts, earlier years released, the open year partly received, then how to
    sign in."""
    from pipelines.contract.demo import load_calibration, write_demo
    from pipelines.portal import commands, services
    from pipelines.publish import report_workers
    from pipelines.settings import load_settings, today
    from pipelines.validate import gx_audit

    commands.setup(args.data_dir)
    settings = load_settings(data_dir=args.data_dir)
    open_year = services.default_year()
    earlier = args.years or list(range(open_year - RELEASED_YEARS, open_year))
    cal = calibrated(load_calibration(), [*earlier, open_year])
    schema = services.schema()
    regions = set(schema.codelists["regions"].codes) - MISSING_REGIONS
    made = accounts()
    with gx_audit.running_worker(), report_workers.running():
        written = write_demo(settings.inbox, schema, earlier, cal)
        # Up to yesterday: a row dated today at a later hour would be in the future.
        written += write_demo(
            settings.inbox, schema, [open_year], cal,
            until=today() - timedelta(days=1), regions=regions,
        )  # fmt: skip
        print(args.say("cli_demo_wrote", n=len(written), folder=settings.inbox), file=sys.stderr)
        ok = all([release(settings, year, args) for year in earlier])
        ok = run_year(settings, open_year, verbose=args.verbose, say=args.say) and ok
    report_outputs(settings, [open_year], args.say)
    print("\n" + args.say("cli_demo_portal_ready", year=open_year, missing=len(MISSING_REGIONS)))
    for account, password in made:
        who = args.say(f"cli_demo_portal_{account.role}", region=account.region_code or "")
        print(f"  {who}: {account.email}  {password}")
    print(args.say("cli_demo_portal_serve"))
    return 0 if ok else 1
