"""The committed suites are what the templates say, and cover every rule the spec lists."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from dagster_project.core.settings import PROJECT_ROOT, Settings
from dagster_project.core.templates import TEMPLATES
from dagster_project.store.load import run_ingest
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


def test_the_faster_gx_helpers_return_what_gx_returns_for_every_committed_expectation() -> None:
    """validate/gx_speed.py replaces four of GX's helpers with copies that read an
    expectation's configuration once; on every expectation of every suite they must give
    what GX's own give (a GX upgrade that changes its helpers fails here)."""
    import great_expectations as gx
    from great_expectations.expectations.expectation import Expectation

    from dagster_project.validate import gx_speed, runner  # noqa: F401  (runner installs them)
    from dagster_project.validate.suites import load_suite_dict

    assert {name: getattr(Expectation, name) for name in gx_speed.FASTER} == gx_speed.FASTER
    compared = 0
    for key in TEMPLATES:
        for e in gx.ExpectationSuite(**load_suite_dict(key)).expectations:
            for name in ("_get_domain_kwargs", "_get_success_kwargs", "_get_runtime_kwargs"):
                assert gx_speed.FASTER[name](e) == gx_speed.ORIGINAL[name](e), (key, e.type, name)
            runtime = {"result_format": {"result_format": "COMPLETE", "return_unexpected_index_query": False}}
            assert gx_speed.FASTER["_get_runtime_kwargs"](e, runtime) == gx_speed.ORIGINAL["_get_runtime_kwargs"](e, runtime)
            for k in (*e.domain_keys, *e.success_keys, "result_format", "row_condition", "not_a_field"):
                assert gx_speed.FASTER["_get_success_kwarg"](e, k, "d") == gx_speed.ORIGINAL["_get_success_kwarg"](e, k, "d")
            compared += 1
    assert compared > 300


def test_a_row_condition_is_filtered_once_per_validation_and_by_gx_outside_one() -> None:
    import pandas as pd
    from great_expectations.execution_engine import PandasExecutionEngine

    from dagster_project.validate import gx_speed, runner  # noqa: F401

    frame = pd.DataFrame({"a": [1, None, 3], "a__raw": ["1", None, "x"]})
    condition = {"type": "pass_through", "pass_through_filter": "`a__raw`.notnull()"}
    engine = PandasExecutionEngine()
    outside = engine._apply_row_condition_filter(frame, condition, {"condition_parser": "pandas"})
    assert outside is not engine._apply_row_condition_filter(frame, condition, {"condition_parser": "pandas"})
    with gx_speed.one_validation():
        first = engine._apply_row_condition_filter(frame, condition, {"condition_parser": "pandas"})
        assert engine._apply_row_condition_filter(frame, condition, {"condition_parser": "pandas"}) is first
        other = frame.copy()
        assert engine._apply_row_condition_filter(other, condition, {"condition_parser": "pandas"}) is not first
    assert first.index.tolist() == outside.index.tolist() == [0, 2]


@dataclass
class CheckedValidation:
    """One ingestion of part of the sample, every call to a gx_speed replacement compared with
    GX's own function as it ran (differences recorded, not raised: GX would catch an
    assertion inside a metric and report it as the expectation's error)."""

    installed: dict[str, bool] = field(default_factory=dict)  # each replacement was in place
    to_id_paths: dict[str, int] = field(default_factory=lambda: {"plain": 0, "converted": 0})
    to_id_differ: list[Any] = field(default_factory=list)
    rows_compared: dict[str, list[int]] = field(default_factory=dict)  # calls, calls with failures
    rows_differ: list[Any] = field(default_factory=list)
    kwargs_calls: list[str] = field(default_factory=list)
    kwargs_differ: list[Any] = field(default_factory=list)
    report: Any = None


# the sample's city schools (every template, both years), a county, and schools with
# rejected sheets
CHECKED_PARTS = (
    "2023/市教育局", "2024/市教育局", "2024/市财政局", "2024/市直/吉林电子信息职业技术学院", "2023/市直/吉林市旅游职业学校",
    "2024/市直/吉林市卫生学校", "2024/丰满区", "2024/船营区/吉林市华美职业学校", "2024/蛟河市/财政局",
)  # fmt: skip


@pytest.fixture(scope="module")
def checked_validation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedValidation]:
    import importlib

    from great_expectations.core.id_dict import IDDict
    from great_expectations.expectations import registry

    from dagster_project.validate import gx_speed, runner  # noqa: F401  (runner installs them)

    seen = CheckedValidation()
    seen.installed["to_id"] = IDDict.to_id is gx_speed.to_id
    modules = [importlib.import_module(name) for name in gx_speed.METRIC_KWARGS_USERS]
    for module in modules:
        seen.installed[module.__name__] = module.get_metric_kwargs is gx_speed.get_metric_kwargs

    def to_id(self: IDDict, id_keys: Any = None, id_ignore_keys: Any = None) -> Any:
        ours, gxs = gx_speed.to_id(self, id_keys, id_ignore_keys), gx_speed.ORIGINAL_TO_ID(self, id_keys, id_ignore_keys)
        if ours != gxs:
            seen.to_id_differ.append(dict(self))
        keys = set(self.keys() if id_keys is None else id_keys) - set(self._id_ignore_keys if id_ignore_keys is None else id_ignore_keys)
        if len(keys) > 1:
            seen.to_id_paths["plain" if all(type(k) is str and gx_speed._plain(self[k]) for k in keys) else "converted"] += 1
        return ours

    def metric_kwargs(metric_name: str, configuration: Any = None, runtime_configuration: Any = None) -> Any:
        ours = gx_speed.get_metric_kwargs(metric_name, configuration, runtime_configuration)
        gxs = gx_speed.ORIGINAL_GET_METRIC_KWARGS(metric_name, configuration, runtime_configuration)
        if ours != gxs or repr(ours) != repr(gxs):
            seen.kwargs_differ.append((metric_name, ours, gxs))
        seen.kwargs_calls.append(metric_name)
        return ours

    def rows(ours: Any, original: Any) -> Any:
        seen.rows_compared[ours.__name__] = [0, 0]

        def fn(cls: Any, execution_engine: Any, metric_domain_kwargs: dict, metric_value_kwargs: dict, metrics: dict, **kwargs: Any) -> Any:
            args = {"metric_domain_kwargs": metric_domain_kwargs, "metric_value_kwargs": metric_value_kwargs, "metrics": metrics, **kwargs}
            got, gxs = ours(cls, execution_engine, **args), original(cls, execution_engine, **args)
            if repr(got) != repr(gxs):  # repr: a NaN equals itself
                seen.rows_differ.append((ours.__name__, metric_domain_kwargs, got, gxs))
            seen.rows_compared[ours.__name__][0] += 1
            seen.rows_compared[ours.__name__][1] += bool(got)
            return got

        fn.metric_fn_type = ours.metric_fn_type  # type: ignore[attr-defined]
        return fn

    root = tmp_path_factory.mktemp("checked_validation")
    for part in CHECKED_PARTS:
        shutil.copytree(PROJECT_ROOT / "raw" / part, root / "raw" / part)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(IDDict, "to_id", to_id)
        for module in modules:
            m.setattr(module, "get_metric_kwargs", metric_kwargs)
        originals = {ours: original for original, ours in gx_speed.REGISTERED.items()}
        for definition in registry._registered_metrics.values():
            providers = definition.get("providers", {})
            for engine, (metric_class, fn) in list(providers.items()):
                if fn in originals:
                    m.setitem(providers, engine, (metric_class, rows(fn, originals[fn])))
        seen.report = run_ingest(Settings.from_env(raw_dir=root / "raw", warehouse_dir=root / "wh", pii_key="test-key"))
    yield seen


@pytest.mark.slow
@pytest.mark.xdist_group("gx_speed_checks")
def test_to_id_gives_gx_s_id_for_every_id_a_validation_asks_for(checked_validation: CheckedValidation) -> None:
    """validate/gx_speed.py's ``IDDict.to_id`` skips GX's JSON conversion for plain values;
    for every id that validating the sample's city schools asks for (every template, both
    years), it must give what GX's own gives, on both of its paths."""
    seen = checked_validation
    assert seen.installed["to_id"]
    assert seen.to_id_differ == []
    assert seen.report.count("loaded") >= 15 and seen.report.count("rejected") >= 1
    assert seen.to_id_paths["plain"] > 10_000 and seen.to_id_paths["converted"] > 1_000, seen.to_id_paths


@pytest.mark.slow
@pytest.mark.xdist_group("gx_speed_checks")
def test_the_failing_rows_and_values_are_gx_s_for_every_map_expectation_a_validation_evaluates(
    checked_validation: CheckedValidation,
) -> None:
    """validate/gx_speed.py's failing rows (``unexpected_index_list``) and values
    (``unexpected_values``) select from the index or the one column instead of the whole
    frame; validating part of the sample (rejected sheets among them), each call must give
    what GX's own function gives."""
    seen = checked_validation
    assert set(seen.rows_compared) == {"map_condition_index", "column_map_condition_values"}
    assert seen.rows_differ == []
    assert seen.report.count("loaded") >= 5 and seen.report.count("rejected") >= 1
    assert all(calls > 300 and failing >= 5 for calls, failing in seen.rows_compared.values()), seen.rows_compared


@pytest.mark.slow
@pytest.mark.xdist_group("gx_speed_checks")
def test_the_metric_kwargs_are_gx_s_for_every_metric_a_validation_asks_for(checked_validation: CheckedValidation) -> None:
    """validate/gx_speed.py's ``get_metric_kwargs`` reads a configuration's runtime kwargs once
    per validation, and an expectation's configuration is built once; validating part of the
    sample (rejected sheets among them), every call must give what GX's own gives."""
    seen = checked_validation
    assert all(seen.installed[name] for name in seen.installed if name != "to_id"), seen.installed
    assert seen.kwargs_differ == []
    assert seen.report.count("loaded") >= 5 and seen.report.count("rejected") >= 1
    calls = seen.kwargs_calls
    assert len(calls) > 1000 and len(set(calls)) > 20, (len(calls), len(set(calls)))
