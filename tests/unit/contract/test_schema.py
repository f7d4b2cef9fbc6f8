from pipelines.contract.schema import LANGUAGES


def test_every_region_of_domain_facts_is_listed_and_aland_is_not(schema):
    codes = list(schema.codelists["regions"].codes)
    assert codes == [f"{n:02d}" for n in range(1, 22)] + ["90"]
    assert "91" not in codes
    assert schema.codelists["regions"].label("90", "sv") == "Helsingfors stad"


def test_every_code_column_and_rule_has_all_three_languages(schema):
    for contract in schema.contracts.values():
        for column in contract.columns:
            assert set(column.labels) == set(LANGUAGES), column.name
            assert set(column.description) == set(LANGUAGES), column.name
    for rule in schema.rules.values():
        assert rule.messages.languages == set(LANGUAGES), rule.name
        assert rule.severity in {"fatal", "error", "warning"}


def test_hour_codes_are_generated_from_the_range(schema):
    hours = list(schema.codelists["hour"].codes)
    assert hours[:3] == ["0", "1", "2"]
    assert hours[-2:] == ["23", "unknown"]


def test_breakdown_dimensions_follow_the_contract(schema):
    dims = [d for d, _, _ in schema.contracts["incidents"].breakdown_dimensions()]
    assert dims == [
        "incident_type",
        "perpetrator",
        "intoxicants",
        "location",
        "advance_warning",
        "police_contacted",
        "reported_to_employer",
        "staff_injury",
        "month",
        "weekday",
        "hour",
    ]
