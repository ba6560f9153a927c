"""The committed suites are what the templates say, and cover every rule the spec lists."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
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


@pytest.mark.slow
def test_to_id_gives_gx_s_id_for_every_id_a_validation_asks_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """validate/gx_speed.py's ``IDDict.to_id`` skips GX's JSON conversion for plain values;
    for every id that validating the sample's city schools asks for (every template, both
    years), it must give what GX's own gives, on both of its paths."""
    from great_expectations.core.id_dict import IDDict

    from dagster_project.validate import gx_speed, runner  # noqa: F401  (runner installs it)

    assert IDDict.to_id is gx_speed.to_id
    paths = {"plain": 0, "converted": 0}

    def checked(self: IDDict, id_keys: Any = None, id_ignore_keys: Any = None) -> Any:
        ours, gxs = gx_speed.to_id(self, id_keys, id_ignore_keys), gx_speed.ORIGINAL_TO_ID(self, id_keys, id_ignore_keys)
        assert ours == gxs, dict(self)
        keys = set(self.keys() if id_keys is None else id_keys) - set(self._id_ignore_keys if id_ignore_keys is None else id_ignore_keys)
        if len(keys) > 1:
            paths["plain" if all(type(k) is str and gx_speed._plain(self[k]) for k in keys) else "converted"] += 1
        return ours

    monkeypatch.setattr(IDDict, "to_id", checked)
    for part in ("2023/市教育局", "2024/市教育局", "2024/市财政局", "2024/市直/吉林电子信息职业技术学院", "2023/市直/吉林市旅游职业学校"):
        shutil.copytree(PROJECT_ROOT / "raw" / part, tmp_path / "raw" / part)
    report = run_ingest(Settings.from_env(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="test-key"))
    assert report.count("loaded") >= 15 and report.count("rejected") >= 1
    assert paths["plain"] > 10_000 and paths["converted"] > 1_000, paths


@pytest.mark.slow
def test_the_failing_rows_and_values_are_gx_s_for_every_map_expectation_a_validation_evaluates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate/gx_speed.py's failing rows (``unexpected_index_list``) and values
    (``unexpected_values``) select from the index or the one column instead of the whole
    frame; validating part of the sample (rejected sheets among them), each call must give
    what GX's own function gives."""
    from great_expectations.expectations import registry

    from dagster_project.validate import gx_speed, runner  # noqa: F401  (runner installs them)

    compared = {ours.__name__: [0, 0] for ours in gx_speed.REGISTERED.values()}  # calls, calls with failures
    differ: list[tuple[Any, ...]] = []

    def checking(ours: Any, original: Any) -> Any:
        def fn(cls: Any, execution_engine: Any, metric_domain_kwargs: dict, metric_value_kwargs: dict, metrics: dict, **kwargs: Any) -> Any:
            args = {"metric_domain_kwargs": metric_domain_kwargs, "metric_value_kwargs": metric_value_kwargs, "metrics": metrics, **kwargs}
            got, gxs = ours(cls, execution_engine, **args), original(cls, execution_engine, **args)
            if repr(got) != repr(gxs):  # repr: a NaN equals itself. Recorded, not raised: GX would catch it
                differ.append((ours.__name__, metric_domain_kwargs, got, gxs))
            compared[ours.__name__][0] += 1
            compared[ours.__name__][1] += bool(got)
            return got

        fn.metric_fn_type = ours.metric_fn_type  # type: ignore[attr-defined]
        return fn

    originals = {ours: original for original, ours in gx_speed.REGISTERED.items()}
    for definition in registry._registered_metrics.values():
        providers = definition.get("providers", {})
        for engine, (metric_class, fn) in list(providers.items()):
            if fn in originals:
                monkeypatch.setitem(providers, engine, (metric_class, checking(fn, originals[fn])))
    for part in ("2024/市教育局", "2024/市直/吉林市卫生学校", "2023/市直/吉林市旅游职业学校", "2024/丰满区"):
        shutil.copytree(PROJECT_ROOT / "raw" / part, tmp_path / "raw" / part)
    report = run_ingest(Settings.from_env(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="test-key"))
    assert differ == []
    assert report.count("loaded") >= 5 and report.count("rejected") >= 1
    assert all(calls > 300 and failing >= 5 for calls, failing in compared.values()), compared


@pytest.mark.slow
def test_the_metric_kwargs_are_gx_s_for_every_metric_a_validation_asks_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """validate/gx_speed.py's ``get_metric_kwargs`` reads a configuration's runtime kwargs once
    per validation, and an expectation's configuration is built once; validating part of the
    sample (rejected sheets among them), every call must give what GX's own gives."""
    import importlib

    from dagster_project.validate import gx_speed, runner  # noqa: F401  (runner installs it)

    calls: list[str] = []
    differ: list[tuple[Any, ...]] = []

    def checked(metric_name: str, configuration: Any = None, runtime_configuration: Any = None) -> Any:
        ours = gx_speed.get_metric_kwargs(metric_name, configuration, runtime_configuration)
        gxs = gx_speed.ORIGINAL_GET_METRIC_KWARGS(metric_name, configuration, runtime_configuration)
        if ours != gxs or repr(ours) != repr(gxs):  # recorded, not raised: GX would catch it
            differ.append((metric_name, ours, gxs))
        calls.append(metric_name)
        return ours

    for name in gx_speed.METRIC_KWARGS_USERS:
        module = importlib.import_module(name)
        assert module.get_metric_kwargs is gx_speed.get_metric_kwargs, name
        monkeypatch.setattr(module, "get_metric_kwargs", checked)
    for part in ("2024/市教育局", "2024/市直/吉林市卫生学校", "2023/市直/吉林市旅游职业学校", "2024/丰满区"):
        shutil.copytree(PROJECT_ROOT / "raw" / part, tmp_path / "raw" / part)
    report = run_ingest(Settings.from_env(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="test-key"))
    assert differ == []
    assert report.count("loaded") >= 5 and report.count("rejected") >= 1
    assert len(calls) > 1000 and len(set(calls)) > 20, (len(calls), len(set(calls)))
