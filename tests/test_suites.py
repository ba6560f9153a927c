"""The committed suites are what the templates say, and cover every rule the spec lists."""

from __future__ import annotations

import json

import pytest

from dagster_project.core.templates import TEMPLATES
from dagster_project.validate.suites import suite_json, suite_path


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_committed_suite_matches_the_template_definition(key: str) -> None:
    assert suite_path(key).read_text(encoding="utf-8") == suite_json(TEMPLATES[key]), (
        f"expectations/{key}.json is stale: run `python -m dagster_project.validate.suites`"
    )


def test_award_suite_covers_every_kind_of_rule() -> None:
    suite = json.loads(suite_path("competition_awards").read_text(encoding="utf-8"))
    checks = {(e["meta"]["check"], e["meta"]["column"]) for e in suite["expectations"]}
    assert {
        ("present", "id_number"),
        ("required", "event_name"),
        ("type", "award_date"),
        ("enum", "competition_level"),
        ("range", "claimed_yuan"),
        ("id_number", "id_number"),
        ("reference", "school_code"),
        ("same_year", "year"),
        ("same_submitter", "school_code"),
        ("cross_column", "organizer_type"),
        ("year_bound", "award_date"),
    } <= checks
    types = {e["type"] for e in suite["expectations"]}
    assert "expect_column_values_to_be_valid_cn_id_number" in types


def test_uniqueness_and_part_whole_rules_are_in_their_suites() -> None:
    enrollment = json.loads(suite_path("enrollment").read_text(encoding="utf-8"))
    assert {(e["meta"]["check"], e["meta"]["column"]) for e in enrollment["expectations"]} >= {
        ("unique", "program_category"),
        ("cross_column", "exam_class_students"),
    }
    partnership = json.loads(suite_path("partnership_income").read_text(encoding="utf-8"))
    assert any(e["type"] == "expect_column_values_to_be_valid_cn_credit_code" for e in partnership["expectations"])
