"""Statistical disclosure control of published counts.

A count of 1 to threshold-1 is suppressed (primary suppression; 0 is published,
it reveals nobody). Where the group's total is published, one hidden cell
could be recomputed from the total, so further cells are hidden (secondary
suppression, smallest counts first) until the hidden cells are at least two
and none of them can be pinned below the threshold: with every hidden cell at
least 1, the largest value any one of them could take is
sum(hidden) - (len(hidden) - 1), and that must reach the threshold.
"""

from __future__ import annotations


def is_small(count: int | None, threshold: int) -> bool:
    return count is not None and 0 < count < threshold


def suppress_group(
    counts: list[int | None],
    threshold: int,
    *,
    total_published: bool,
    already: list[bool] | None = None,
) -> list[bool]:
    """Which cells of one group (e.g. the regions of a year) to hide; `already` marks
    cells hidden by another group they belong to (the other margin of a table)."""
    hidden = [is_small(c, threshold) or bool(already and already[i]) for i, c in enumerate(counts)]
    if not total_published or not any(hidden):
        return hidden
    candidates = sorted(
        (c, i) for i, c in enumerate(counts) if c is not None and c > 0 and not hidden[i]
    )

    def safe() -> bool:
        values = [c for c, h in zip(counts, hidden, strict=True) if h and c is not None]
        return len(values) >= 2 and sum(values) - (len(values) - 1) >= threshold

    for _, i in candidates:
        if safe():
            break
        hidden[i] = True
    return hidden


def suppress_table(
    cells: list[list[int]], threshold: int, *, hidden: list[list[bool]] | None = None
) -> list[list[bool]]:
    """A two-way table whose row and column totals are both published: protect every
    row and every column as a group, repeating until neither pass hides more. `hidden`
    marks cells that must be hidden whatever their value (a linked table hides them)."""
    hidden = [row[:] for row in hidden] if hidden else [[False] * len(r) for r in cells]
    while True:
        before = [row[:] for row in hidden]
        for i, row in enumerate(cells):
            hidden[i] = suppress_group(row, threshold, total_published=True, already=hidden[i])
        for j in range(len(cells[0]) if cells else 0):
            column = suppress_group(
                [r[j] for r in cells],
                threshold,
                total_published=True,
                already=[h[j] for h in hidden],
            )
            for i, h in enumerate(column):
                hidden[i][j] = h
        if hidden == before:
            return hidden
