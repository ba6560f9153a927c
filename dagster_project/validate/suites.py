"""One Great Expectations suite per template, generated from the template definitions.

The suites are written to ``expectations/<template>.json`` and kept under version
control: the JSON is what runs (``load_suite``), and a test checks that it still
matches what the templates say, so the two can never drift apart silently.

Every expectation carries ``meta`` that turns a failure into a reason a clerk can act
on: the column it concerns, the check, and the message in Chinese.

Validation runs on a batch frame built by ``validation.frame``: for each template
column ``key`` it holds the typed value ``key``, the text as typed ``key__raw`` and
``key__present`` (whether the sheet had that column), for required columns ``key__word`` (the
text compared with the words that mean none, ``core.values.word_key``), plus helper columns
(``_sheet``, ``_sheet_year``, ``_sheet_submitter``, ``_school_year``, ``_unit_ref``, ``_year_start``,
``_year_end``) so that many sheets can be validated in one pass.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import great_expectations.expectations as gxe

from dagster_project.core.settings import EXPECTATIONS_DIR
from dagster_project.core.templates import PLAUSIBLE_MAX, TEMPLATES, TYPE_HINT_ZH, Column, T, Template
from dagster_project.core.values import clerk_words
from dagster_project.validate import gx_custom

SUITE_PREFIX = "vocwh_"


def _meta(check: str, column: str, message: str, level: str = "row") -> dict[str, str]:
    return {"check": check, "column": column, "message_zh": message, "level": level}


def _choices_text(column: Column) -> str:
    zh = "、".join(c.zh for c in column.choices)
    en = "、".join(c.value for c in column.choices)
    return f"应为：{zh}（或 {en}）"


def _range_message(column: Column) -> str:
    lo, hi = column.min_value, column.max_value
    fmt = "{:g}".format
    if lo is not None and hi is not None:
        return f"应在{fmt(lo)}到{fmt(hi)}之间" if not column.strict_min else f"应大于{fmt(lo)}且不超过{fmt(hi)}"
    if lo is not None:
        return f"应大于{fmt(lo)}" if column.strict_min else f"不能小于{fmt(lo)}"
    return f"不能大于{fmt(hi)}"


def _column_expectations(template: Template, column: Column) -> list[Any]:
    key = column.key
    out: list[Any] = []
    if column.required:
        out.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=f"{key}__present",
                value_set=[True],
                meta=_meta("present", key, "缺少必填列，请在表头加上这一列", level="sheet"),
            )
        )
        out.append(gxe.ExpectColumnValuesToNotBeNull(column=f"{key}__raw", meta=_meta("required", key, "必填，不能为空")))
        # 无, 待批, / … in a required column: an empty value in disguise (core.values.NONE_WORDS)
        out.append(
            gxe.ExpectColumnValuesToNotBeInSet(
                column=f"{key}__word",
                value_set=sorted(clerk_words(column)),
                meta=_meta("none_word", key, "必填项不能填写「无」「待批」等表示没有或未定的词，请填写实际内容"),
            )
        )
    # Every type: a text cell can be unusable too (a formula error, a NUL character), and an
    # ID typed as a number has lost digits; the parser's hint is the reason shown.
    out.append(
        gxe.ExpectColumnValuesToNotBeNull(
            column=key,
            row_condition=f"`{key}__raw`.notnull()",
            condition_parser="pandas",
            meta=_meta("type", key, f"应为{TYPE_HINT_ZH[column.type]}"),
        )
    )
    if column.type is T.ENUM and not column.fallback:
        values = [c.value for c in column.choices]
        out.append(gxe.ExpectColumnValuesToBeInSet(column=key, value_set=values, meta=_meta("enum", key, _choices_text(column))))
    if column.type is T.PROGRAM_CATEGORY and column.min_value is not None and column.max_value is not None:
        codes = [f"{n:02d}" for n in range(int(column.min_value), int(column.max_value) + 1)]
        out.append(gxe.ExpectColumnValuesToBeInSet(column=key, value_set=codes, meta=_meta("range", key, _range_message(column))))
    elif column.min_value is not None or column.max_value is not None:
        out.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=key,
                min_value=column.min_value,
                max_value=column.max_value,
                strict_min=column.strict_min,
                meta=_meta("range", key, _range_message(column)),
            )
        )
    if column.max_value is None and column.type in PLAUSIBLE_MAX:
        bound, message = PLAUSIBLE_MAX[column.type]
        out.append(gxe.ExpectColumnValuesToBeBetween(column=key, max_value=bound, meta=_meta("range", key, message)))
    if column.type is T.ID_NUMBER:
        out.append(
            gx_custom.ExpectColumnValuesToBeValidCnIdNumber(
                column=key, meta=_meta("id_number", key, "不是有效的18位身份证号（位数、校验位、出生日期或地区码不对），请核对")
            )
        )
    if column.type is T.CREDIT_CODE:
        out.append(
            gx_custom.ExpectColumnValuesToBeValidCnCreditCode(
                column=key, meta=_meta("check_digit", key, "不是有效的18位统一社会信用代码（位数或校验位不对），请核对")
            )
        )
    if column.unique:
        out.append(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["_sheet", key],
                ignore_row_if="any_value_is_missing",
                meta=_meta("unique", key, f"在本表中重复出现，同一{column.zh}只能填一行"),
            )
        )
    if column.known_county:
        out.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=key,
                value_set={"$PARAMETER": "known_counties"},
                meta=_meta("reference", key, "不是已知的区划代码（吉林市及所辖县(市)区）"),
            )
        )
    if column.known_unit:
        out.append(
            gxe.ExpectColumnValuesToBeInSet(
                column="_unit_ref",
                value_set={"$PARAMETER": "known_units"},
                meta=_meta("reference", key, "既不是该年度职业院校名录中的学校，也不是已知的区划代码（吉林市及所辖县(市)区）"),
            )
        )
    if column.registered_school:
        out.append(
            gxe.ExpectColumnValuesToBeInSet(
                column="_school_year",
                value_set={"$PARAMETER": "registered_school_years"},
                meta=_meta("reference", key, "不在该年度职业院校名录中，请核对学校标识码（名录由市教育局报送）"),
            )
        )
    return out


def build_suite(template: Template) -> gx.ExpectationSuite:
    """The suite a template implies; ``write_suites`` stores it as JSON."""
    expectations: list[Any] = []
    for column in template.columns:
        expectations += _column_expectations(template, column)
    expectations.append(
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="year",
            column_B="_sheet_year",
            ignore_row_if="either_value_is_missing",
            meta=_meta("same_year", "year", "与本表其他行的年度不一致，一个表只能填报一个年度"),
        )
    )
    if template.submitter_column:
        sub = template.column(template.submitter_column)
        expectations.append(
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A=sub.key,
                column_B="_sheet_submitter",
                ignore_row_if="either_value_is_missing",
                meta=_meta("same_submitter", sub.key, f"与本表其他行的{sub.zh}不一致，一个表只能填报一个单位的数据"),
            )
        )
    for rule in template.pair_rules:
        big, small = (rule.a, rule.b) if rule.op == ">=" else (rule.b, rule.a)
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=big,
                column_B=small,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=_meta("cross_column", rule.a, rule.message_zh),
            )
        )
    for rule in template.pair_set_rules:
        expectations.append(
            gxe.ExpectColumnPairValuesToBeInSet(
                column_A=rule.a,
                column_B=rule.b,
                value_pairs_set=[list(p) for p in rule.allowed],
                ignore_row_if="either_value_is_missing",
                meta=_meta("cross_column", rule.b, rule.message_zh),
            )
        )
    for date_key, bound in template.year_bound_dates:
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=date_key,
                column_B="_year_start",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=_meta("year_bound", date_key, "不能早于填报年度" if bound == "from" else "应在填报年度之内"),
            )
        )
        if bound == "in":
            expectations.append(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="_year_end",
                    column_B=date_key,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    meta=_meta("year_bound", date_key, "应在填报年度之内"),
                )
            )
    suite = gx.ExpectationSuite(name=f"{SUITE_PREFIX}{template.key}", expectations=expectations)
    suite.meta = {"template": template.key, "template_zh": template.zh, "generated_from": "dagster_project/core/templates.py"}
    return suite


def suite_json(template: Template) -> str:
    """Stable JSON text of a suite (no random ids), as committed in expectations/."""
    data = build_suite(template).to_json_dict()
    data.pop("id", None)
    for e in data["expectations"]:
        e.pop("id", None)
    data.pop("notes", None)
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def suite_path(template_key: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{template_key}.json"


def write_suites(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in TEMPLATES.values():
        p = suite_path(t.key, directory)
        p.write_text(suite_json(t), encoding="utf-8")
        paths.append(p)
    return paths


@cache
def load_suite_dict(template_key: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The committed suite: what actually validates submissions."""
    return json.loads(suite_path(template_key, directory).read_text(encoding="utf-8"))


if __name__ == "__main__":
    for written in write_suites(Path(sys.argv[1]) if len(sys.argv) > 1 else EXPECTATIONS_DIR):
        print(written)
