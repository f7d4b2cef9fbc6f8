"""`evstats serve`, `users add` and `tokens create`: the portal's server and accounts.
Django is imported by the handlers only, once a portal command is chosen."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipelines.cli.words import EXIT_USAGE, Words
from pipelines.contract.i18n import LANGUAGES


def add_parser(name: str, sub: Any, t: Words) -> None:
    """The sub-parser of `serve`, or of `users` / `tokens` with their one action."""
    if name == "serve":
        parser, _, options = t.parser(
            sub.add_parser, "serve", help=t("help_serve"), description=t("help_serve")
        )
        options.add_argument("--host", default="127.0.0.1", help=t("help_serve_host"))
        options.add_argument("--port", type=int, default=8000, help=t("help_serve_port"))
        options.add_argument("--workers", type=int, default=2, help=t("help_serve_workers"))
        options.add_argument("--threads", type=int, default=4, help=t("help_serve_threads"))
        options.add_argument("--data-dir", metavar=t.metavar("folder"), help=t("help_data_dir"))
        parser.set_defaults(handler=cmd_serve)
        return
    action = {"users": "add", "tokens": "create"}[name]
    parent, _, _ = t.parser(
        sub.add_parser, name, help=t(f"help_{name}"), description=t(f"help_{name}")
    )
    actions = parent.add_subparsers(
        title=t("help_commands"), dest="action", required=True, metavar=t.metavar("command")
    )
    key = f"help_{name}_{action}"
    _, positionals, options = t.parser(actions.add_parser, action, help=t(key), description=t(key))
    options.add_argument("--data-dir", metavar=t.metavar("folder"), help=t("help_data_dir"))
    code = t.metavar("code")
    if name == "users":
        positionals.add_argument("email", metavar="EMAIL", help=t("help_users_email"))
        options.add_argument("--region", type=t.region, metavar=code, help=t("help_users_region"))
        options.add_argument(
            "--role",
            choices=["submitter", "analyst"],
            default="submitter",
            help=t("help_users_role"),
        )
        options.add_argument(
            "--lang", dest="user_lang", choices=LANGUAGES, default="fi", help=t("help_users_lang")
        )
        options.add_argument("--link", action="store_true", help=t("help_users_link"))
        options.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help=t("help_users_base_url")
        )
    else:
        options.add_argument(
            "--region", type=t.region, metavar=code, required=True, help=t("help_tokens_region")
        )
        options.add_argument("--name", default="", help=t("help_tokens_name"))
    parent.set_defaults(handler=cmd_users if name == "users" else cmd_tokens)


def cmd_serve(args: argparse.Namespace) -> int:
    """The portal on gunicorn, its tables migrated first; its address said before it starts."""
    from pipelines.portal import commands, server

    commands.setup(args.data_dir)
    from django.conf import settings

    print(args.say("cli_portal_url", url=f"http://{args.host}:{args.port}/"), flush=True)
    if not settings.MAIL_CONFIGURED:
        print(args.say("cli_mail_not_configured"), file=sys.stderr, flush=True)
    server.serve(args.host, args.port, args.workers, args.threads)
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    """A portal user added, with a password from standard input or a one-time link; the
    prompts, the password rules (Django's validators) and the answer in the command's
    language."""
    from pipelines.portal import commands

    commands.setup(args.data_dir)
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override(args.lang):
        password = None if args.link else commands.read_password()
        try:
            user = commands.add_user(args.email, args.region, args.role, password, args.user_lang)
        except ValidationError as exc:
            print("evstats users add: " + " ".join(exc.messages), file=sys.stderr)
            return EXIT_USAGE
    key = "cli_user_added_region" if user.region_code else "cli_user_added"
    role = args.say(f"cli_role_{user.role}")
    print(args.say(key, role=role, email=user.email, region=user.region_code))
    if args.link:
        print(args.say("cli_sign_in_link", link=commands.sign_in_link(user, args.base_url)))
    return 0


def cmd_tokens(args: argparse.Namespace) -> int:
    """A region's API token, printed once on a line of its own for a script to read."""
    from pipelines.portal import commands

    commands.setup(args.data_dir)
    token = commands.create_token(args.region, args.name)
    print(args.say("cli_token_created", region=args.region))
    print(token)
    return 0
