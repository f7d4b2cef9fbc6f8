"""`evstats site`: the readers' publication site built from the released folders."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipelines.cli.words import Words


def add_parser(name: str, sub: Any, t: Words) -> None:
    """The sub-parser of `site`."""
    parser, _, options = t.parser(
        sub.add_parser, name, help=t("help_site"), description=t("help_site")
    )
    options.add_argument("--out", metavar=t.metavar("folder"), help=t("help_site_out"))
    options.add_argument("--data-dir", metavar=t.metavar("folder"), help=t("help_data_dir"))
    parser.set_defaults(handler=cmd_site)


def cmd_site(args: argparse.Namespace) -> int:
    """Every release under `<data-dir>/releases/` as static pages in `--out` (default
    `<data-dir>/site/`); the pages, feed and sitemap say the settings' `site_url`."""
    from pathlib import Path

    from pipelines.contract.schema import load_schema
    from pipelines.publish.site import build_site, read_releases
    from pipelines.settings import load_settings

    settings = load_settings(data_dir=args.data_dir)
    out = Path(args.out) if args.out else settings.site_dir
    releases = settings.root / "releases"
    found = read_releases(releases)
    if not found:
        print(f"evstats site: {args.say('cli_site_no_releases', path=releases)}", file=sys.stderr)
        return 1
    try:
        build_site(
            releases,
            out,
            load_schema(),
            site_url=settings.site_url,
            next_release=settings.next_release,
        )
    except ValueError as exc:
        print(f"evstats site: {exc}", file=sys.stderr)
        return 1
    print(args.say("cli_site_written", n=len(found), path=out / "index.html"))
    return 0
