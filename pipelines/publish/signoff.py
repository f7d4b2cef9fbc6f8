"""The analyst's sign-off as the portal exports it, read where the year is released.

The portal keeps reviews and explanations in its own database, which the pipeline
never opens (as the portal never opens the warehouse); after each review or
explanation it writes `signoff/<year>.json` (as the pipeline's snapshots are written
and read: `warehouse.snapshot.write_status`, `read_status`). A year is released only when every
region with data in force is accepted there; regions with nothing in force are
named in the release as missing.
"""

from __future__ import annotations

from typing import Any


def not_accepted(signoff: dict[str, Any] | None, in_force: list[str]) -> list[str]:
    """Regions with data in force that the analyst has not accepted (or returned)."""
    reviews = (signoff or {}).get("reviews", {})
    return sorted(r for r in in_force if reviews.get(r, {}).get("state") != "accepted")


def missing(regions: list[str], in_force: list[str]) -> list[str]:
    """Regions with no data in force at all, in the order of the published tables."""
    return [r for r in regions if r not in set(in_force)]
