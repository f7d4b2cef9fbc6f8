from pipelines.publish.disclosure import suppress_group


def test_no_small_cells_nothing_hidden():
    assert suppress_group([5, 0, 30], 3, total_published=True) == [False, False, False]


def test_zero_is_published_but_one_and_two_are_not():
    assert suppress_group([0, 1, 2], 3, total_published=False) == [False, True, True]


def test_single_small_cell_gets_a_complement_when_the_total_is_published():
    # 2 alone could be recomputed from the total: the smallest other non-zero cell (4) hides too.
    assert suppress_group([2, 10, 4, 0], 3, total_published=True) == [True, False, True, False]


def test_without_a_published_total_no_complement_is_needed():
    assert suppress_group([2, 10, 4], 3, total_published=False) == [True, False, False]


def test_two_ones_would_reveal_each_other_so_a_third_cell_hides():
    # {1, 1}: sum 2, each could only be 1 -> add the smallest other cell (5): 7 - 2 = 5 >= 3.
    assert suppress_group([1, 1, 9, 5], 3, total_published=True) == [True, True, False, True]


def test_one_and_two_together_are_safe_enough():
    # {1, 2}: sum 3, either could be 1 or 2... but max 3 - 1 = 2 < 3, so add 4.
    assert suppress_group([1, 2, 4, 8], 3, total_published=True) == [True, True, True, False]


def test_threshold_is_configurable():
    assert suppress_group([4, 10, 6], 5, total_published=True) == [True, False, True]


def test_two_way_table_protects_rows_and_columns():
    from pipelines.publish.disclosure import suppress_table

    cells = [
        [5, 1, 7],
        [6, 9, 8],
    ]
    hidden = suppress_table(cells, 3)
    # row 0: the 1 hides and its smallest partner 5; column 1 then needs a partner for 1: 9;
    # row 1 now has one hidden cell (9) and needs a partner: 6 (column 0 already has 5 hidden).
    assert hidden == [[True, True, False], [True, True, False]]


def test_cells_a_linked_table_hides_get_partners_in_their_rows():
    from pipelines.publish.disclosure import suppress_table

    # Column 1 is hidden in full (its total must stay unknown); each row then needs a
    # second hidden cell, the smallest other one (10, 12, 14); column 0 is then safe.
    cells = [[10, 6, 20], [12, 8, 30], [14, 9, 40]]
    forced = [[False, True, False]] * 3
    hidden = suppress_table(cells, 3, hidden=forced)
    assert hidden == [[True, True, False]] * 3
    assert forced == [[False, True, False]] * 3  # the caller's marks are not changed
