"""The lifecycle's transition tables: every allowed transition, and every other one
refused, for files and for region-years."""

from __future__ import annotations

import itertools

import pytest

from pipelines.register import lifecycle as lc

FILE_ALLOWED = {
    ("received", "reject"): "rejected",
    ("received", "take"): "in_force",
    ("received", "keep"): "unchanged",
    ("in_force", "supersede"): "superseded",
}
REGION_ALLOWED = {
    **{(s, "change"): "awaiting_review" for s in lc.REGION_YEAR_STATES},
    ("awaiting_review", "accept"): "accepted",
    ("returned", "accept"): "accepted",
    ("awaiting_review", "return"): "returned",
    ("accepted", "return"): "returned",
    ("accepted", "release"): "released",
    ("released", "release"): "released",
}


@pytest.mark.parametrize(
    ("machine", "states", "allowed"),
    [
        ("file", lc.FILE_STATES, FILE_ALLOWED),
        ("region_year", lc.REGION_YEAR_STATES, REGION_ALLOWED),
    ],
)
def test_every_transition_is_the_tables_and_every_other_is_refused(machine, states, allowed):
    events = {event for _, event in allowed}
    for state, event in itertools.product(states, sorted(events)):
        if (state, event) in allowed:
            assert lc.advance(machine, state, event) == allowed[(state, event)]
        else:
            with pytest.raises(lc.IllegalTransition):
                lc.advance(machine, state, event)


def test_final_file_states_have_no_way_out():
    for state in ("rejected", "superseded", "unchanged"):
        for event in lc.FILE:
            with pytest.raises(lc.IllegalTransition):
                lc.advance("file", state, event)


def test_an_unknown_event_is_refused():
    with pytest.raises(lc.IllegalTransition):
        lc.advance("region_year", "open", "publish")


def test_a_region_is_accepted_only_with_data_in_force_and_every_warning_answered():
    with pytest.raises(lc.Blocked) as nothing:
        lc.check_accept([], 0)
    assert nothing.value.key == "accept_nothing_in_force"
    with pytest.raises(lc.Blocked) as unexplained:
        lc.check_accept(["incidents"], 2)
    assert (unexplained.value.key, unexplained.value.params) == (
        "review_explanations_missing",
        {"n": 2},
    )
    lc.check_accept(["incidents", "missions"], 0)


def test_a_year_is_released_when_every_region_in_force_is_accepted():
    with pytest.raises(lc.Blocked) as nothing:
        lc.check_release({}, [])
    assert nothing.value.key == "release_nothing"
    states = {"05": "accepted", "06": "awaiting_review", "07": "released", "08": "returned"}
    with pytest.raises(lc.Blocked) as waiting:
        lc.check_release(states, ["05", "06", "07", "08", "09"])
    # 09 has data in force but no region-year yet: it counts as open, so it waits too.
    assert waiting.value.params == {"regions": "06, 08, 09"}
    lc.check_release(states, ["05", "07"])
