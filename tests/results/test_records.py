"""The container table's milestone columns are the milestones of both flow orders."""

from sim.results.records import CONTAINER_COLUMNS, CONTAINER_MILESTONES, EXPORT_ORDER, IMPORT_ORDER


def test_both_flow_orders_pass_the_same_milestones_and_the_table_has_a_column_for_each():
    assert sorted(EXPORT_ORDER) == sorted(IMPORT_ORDER)
    assert len(set(EXPORT_ORDER)) == len(EXPORT_ORDER)
    milestones = [c for c in CONTAINER_COLUMNS if c.startswith("t_")]
    assert milestones == list(CONTAINER_MILESTONES) == [*EXPORT_ORDER, "t_turned_away"]
