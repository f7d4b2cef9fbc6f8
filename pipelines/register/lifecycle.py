"""The lifecycle of a received file and of a region's year, written down once.

Every change of state anywhere (the portal, the API, a run, the command line)
goes through `advance`, which takes a transition from these tables or refuses
it; nothing else writes a state. Two rules that once lived in views are here
too: a region's year is accepted only with every plausibility warning on its
files in force explained, and a year is released only when every region with
data in force is accepted.

File:         received ─┬─ reject ──▶ rejected
                        ├─ take ────▶ in_force ── supersede ──▶ superseded
                        └─ keep ────▶ unchanged   (the bytes already in force)

Region-year:  open ── change ──▶ awaiting_review ─┬─ accept ──▶ accepted ── release ──▶ released
                                                  └─ return ──▶ returned
              a change (a receipt that alters what is in force) from any state leads back to
              awaiting_review; accepted and returned may be reversed by the analyst.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CHANNELS = ("portal", "api", "analyst", "folder", "cli")

RECEIVED, REJECTED, IN_FORCE, SUPERSEDED, UNCHANGED = (
    "received",
    "rejected",
    "in_force",
    "superseded",
    "unchanged",
)
FILE_STATES = (RECEIVED, REJECTED, IN_FORCE, SUPERSEDED, UNCHANGED)
FILE: dict[str, dict[str, str]] = {
    "reject": {RECEIVED: REJECTED},
    "take": {RECEIVED: IN_FORCE},
    "keep": {RECEIVED: UNCHANGED},
    "supersede": {IN_FORCE: SUPERSEDED},
}

OPEN, AWAITING_REVIEW, ACCEPTED, RETURNED, RELEASED = (
    "open",
    "awaiting_review",
    "accepted",
    "returned",
    "released",
)
REGION_YEAR_STATES = (OPEN, AWAITING_REVIEW, ACCEPTED, RETURNED, RELEASED)
REGION_YEAR: dict[str, dict[str, str]] = {
    "change": {s: AWAITING_REVIEW for s in REGION_YEAR_STATES},
    "accept": {AWAITING_REVIEW: ACCEPTED, RETURNED: ACCEPTED},
    "return": {AWAITING_REVIEW: RETURNED, ACCEPTED: RETURNED},
    "release": {ACCEPTED: RELEASED, RELEASED: RELEASED},
}
MACHINES = {"file": FILE, "region_year": REGION_YEAR}


class IllegalTransition(ValueError):
    """A change of state the lifecycle does not allow; `key` names the refusal's text."""

    def __init__(self, machine: str, state: str, event: str) -> None:
        super().__init__(f"{machine}: no '{event}' from '{state}'")
        self.machine = machine
        self.state = state
        self.event = event


class Blocked(ValueError):
    """A transition the table allows but the collection's rules refuse for now; `key`
    names the message (in `schemas/portal.yaml`) and `params` its values."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(f"{key}: {params}")
        self.key = key
        self.params = params


def advance(machine: str, state: str, event: str) -> str:
    """The state after `event`, or IllegalTransition."""
    try:
        return MACHINES[machine][event][state]
    except KeyError:
        raise IllegalTransition(machine, state, event) from None


def check_accept(in_force_kinds: Iterable[str], unexplained: int) -> None:
    """A region's year is accepted with data in force and every plausibility warning on
    those files answered (corrected by a new file or explained)."""
    if not list(in_force_kinds):
        raise Blocked("accept_nothing_in_force")
    if unexplained:
        raise Blocked("review_explanations_missing", n=unexplained)


def check_release(states: Mapping[str, str], in_force: Iterable[str]) -> None:
    """A year is released when at least one region has data in force and every such
    region's year is accepted (or released earlier and unchanged since)."""
    regions = sorted(set(in_force))
    if not regions:
        raise Blocked("release_nothing")
    waiting = [r for r in regions if states.get(r, OPEN) not in (ACCEPTED, RELEASED)]
    if waiting:
        raise Blocked("release_blocked", regions=", ".join(waiting))
