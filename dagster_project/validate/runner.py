"""Validating sheets with the committed Great Expectations suites, many sheets per pass.

A national run holds tens of thousands of sheets; GX costs a fixed tenth of a second or
so per validation, so sheets of one template are stacked into one frame and validated
together, then each failure is traced back to its sheet and Excel row. Rules that are
"within one submission" (uniqueness, one year, one submitter) are expressed against the
``_sheet`` helper columns, so stacking never changes a verdict.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import defaultdict
from functools import cache, lru_cache
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from dagster_project.core.cn_id import id_reason
from dagster_project.core.pii import mask_id
from dagster_project.core.templates import T, Template
from dagster_project.core.values import word_key
from dagster_project.ingest.parse import ParsedSheet
from dagster_project.validate import gx_custom, gx_speed  # noqa: F401  (gx_custom registers the custom expectations)
from dagster_project.validate.suites import load_suite_dict
from dagster_project.validate.verdict import Verdict

gx_speed.install()

for _name in ("great_expectations", "great_expectations.data_context.types.base"):
    logging.getLogger(_name).setLevel(logging.ERROR)

MAX_ROWS_LISTED = 50


@lru_cache(maxsize=1)
def _context() -> Any:
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx


@cache
def _batch_definition_and_suite(template_key: str) -> tuple[Any, Any]:
    ctx = _context()
    source = ctx.data_sources.add_pandas(f"vocwh_{template_key}")
    batch_def = source.add_dataframe_asset(template_key).add_batch_definition_whole_dataframe("stacked_sheets")
    data = dict(load_suite_dict(template_key))
    suite = ctx.suites.add(gx.ExpectationSuite(**data))
    return batch_def, suite


def _gx_value(kind: T, value: Any) -> Any:
    if value is None:
        return None
    if kind is T.DECIMAL:
        return float(value)
    return value


def build_frame(template: Template, sheets: list[ParsedSheet]) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """The stacked frame GX validates, and for each frame row its (sheet index, Excel row)."""
    origin: list[tuple[int, int]] = []
    data: dict[str, list[Any]] = defaultdict(list)
    for s_idx, sheet in enumerate(sheets):
        present = sheet.columns_present
        for row in sheet.rows:
            origin.append((s_idx, row.row_number))
            for col in template.columns:
                k = col.key
                data[k].append(_gx_value(col.type, row.typed.get(k)))
                data[f"{k}__raw"].append(row.raw.get(k))
                data[f"{k}__present"].append(k in present)
                if col.required:
                    raw = row.raw.get(k)
                    data[f"{k}__word"].append(word_key(raw) if raw is not None else None)
            year = row.typed.get("year")
            data["_sheet"].append(s_idx)
            data["_sheet_year"].append(sheet.year)
            data["_sheet_submitter"].append(sheet.submitter_code)
            school = row.typed.get("school_code")
            data["_school_year"].append(f"{year}:{school}" if year is not None and school is not None else None)
            unit = next((row.typed.get(c.key) for c in template.columns if c.known_unit), None)
            # a school is known per year (as _school_year), a county always
            data["_unit_ref"].append(None if unit is None else unit if len(unit) == 6 else f"{year}:{unit}")
            ok_year = isinstance(year, int) and 1 <= year <= 9999
            data["_year_start"].append(dt.date(year, 1, 1) if ok_year else None)
            data["_year_end"].append(dt.date(year, 12, 31) if ok_year else None)
    frame = pd.DataFrame(data)
    for col in template.columns:
        if col.type in (T.INT, T.YEAR):
            frame[col.key] = frame[col.key].astype("Int64")
        elif col.type is T.DECIMAL:
            frame[col.key] = frame[col.key].astype("float64")
        elif col.type is T.DATE:
            frame[col.key] = pd.to_datetime(frame[col.key])
    for name in ("_sheet_year",):
        frame[name] = frame[name].astype("Int64")
    for name in ("_year_start", "_year_end"):
        frame[name] = pd.to_datetime(frame[name])
    return frame, origin


def _quote(template: Template, key: str, raw: str | None) -> str:
    if not raw:
        return ""
    column = template.column(key)
    if column.type is T.ID_NUMBER:
        return f"（填写的是「{mask_id(raw)}」）"
    if column.pii:
        return ""  # names are not repeated in logs and receipts
    return f"（填写的是「{raw}」）"


def _columns_of(kwargs: dict[str, Any]) -> list[str]:
    """Template columns an expectation reads (helper ``_`` columns left out)."""
    names = [kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B"), *(kwargs.get("column_list") or [])]
    return [n.split("__")[0] for n in names if n and not n.startswith("_")]


def validate(template: Template, sheets: list[ParsedSheet], parameters: dict[str, list[str]]) -> list[Verdict]:
    """One verdict per sheet, in order. ``parameters`` feeds the reference lists
    (``known_counties``, ``registered_school_years``) the suites name."""
    verdicts = [Verdict() for _ in sheets]
    for v, sheet in zip(verdicts, sheets, strict=True):
        if not sheet.rows:
            v.reasons.append("表中没有数据行：请在表头下方逐行填写数据 (no data rows under the header)")
        for key in sheet.recognised.duplicate_headers:
            v.reasons.append(f"表头中{template.column(key).label}出现了不止一次，请删除重复的列 (duplicate column)")
    if not any(s.rows for s in sheets):
        return verdicts
    frame, origin = build_frame(template, sheets)
    # a submitter that may be a school or a county (publicity_events) is checked against both lists
    parameters = {**parameters, "known_units": [*parameters.get("registered_school_years", []), *parameters.get("known_counties", [])]}
    batch_def, suite = _batch_definition_and_suite(template.key)
    # COMPLETE for the unexpected rows' index; not the pandas query text GX would also build
    # for each expectation (a filter of the whole frame each: a sixth of the validation).
    with gx_speed.one_validation():
        result = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False}, expectation_parameters=parameters
        )
    order = {c.key: i for i, c in enumerate(template.columns)}
    row_reasons: list[list[tuple[int, int, str]]] = [[] for _ in sheets]
    # Cells already reported: rules over several columns stay quiet about them, so a
    # clerk sees "区级 is not a level", not also "区级 does not fit the organizer".
    failed_cells: set[tuple[int, int, str]] = set()
    for r in result.results:
        meta = r.expectation_config.meta or {}
        key = meta.get("column", "")
        check = meta.get("check", "")
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise RuntimeError(f"GX failed on {template.key}.{key} ({check}): {r.exception_info.get('exception_message')}")
        failing: dict[int, list[int]] = defaultdict(list)
        for g in r.result.get("unexpected_index_list") or []:
            s_idx, row_number = origin[int(g)]
            failing[s_idx].append(row_number)
        for s_idx, sheet in enumerate(sheets):
            if not sheet.rows:
                continue
            rows_failed = sorted(failing.get(s_idx, []))
            verdicts[s_idx].results.append(
                {
                    "expectation": r.expectation_config.type,
                    "check": check,
                    "column_key": key,
                    "success": not rows_failed,
                    "unexpected_count": len(rows_failed),
                    "unexpected_rows": ",".join(map(str, rows_failed[:MAX_ROWS_LISTED])),
                }
            )
            if not rows_failed:
                continue
            column = template.column(key)
            if meta.get("level") == "sheet":
                verdicts[s_idx].reasons.append(f"{column.label}：{meta['message_zh']}")
                continue
            if check == "required" and key not in sheet.columns_present:
                continue  # already reported once as a missing column
            by_row = {row.row_number: row for row in sheet.rows}
            involved = _columns_of(r.expectation_config.kwargs)
            for row_number in rows_failed:
                if len(involved) > 1 and any((s_idx, row_number, k) in failed_cells for k in involved):
                    continue
                failed_cells.add((s_idx, row_number, key))
                row = by_row[row_number]
                if check == "type" and key in row.words:
                    continue  # a word meaning none: the none_word check names it
                message = row.errors.get(key, meta["message_zh"]) if check == "type" else meta["message_zh"]
                if check == "id_number" and isinstance(row.typed.get(key), str):
                    message = id_reason(row.typed[key]) or message  # names the part that is wrong
                text = f"第{row_number}行 {column.label}：{message}{_quote(template, key, row.raw.get(key))}"
                row_reasons[s_idx].append((row_number, order.get(key, 99), text))
    for v, rows in zip(verdicts, row_reasons, strict=True):
        v.reasons += [text for _, _, text in sorted(rows)]
    return verdicts
