"""Custom Great Expectations for the check characters of Chinese codes.

GX has no built-in for GB 11643 ID numbers or GB 32100 credit codes. The ID rule is the
project's own (``shared.cn_id``: stdnum's ``cn.ric`` wrongly judges the area code by the
birth year); credit codes use python-stdnum. These expectations only adapt the rules to
GX's column-map protocol.
Importing this module registers them, which loading the JSON suites requires.
"""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import ColumnMapMetricProvider, column_condition_partial
from stdnum.cn import uscc

from dagster_project.core.cn_id import is_valid_id


class ColumnValuesValidCnIdNumber(ColumnMapMetricProvider):
    condition_metric_name = "column_values.valid_cn_id_number"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: object) -> pd.Series:
        return column.map(is_valid_id)


class ExpectColumnValuesToBeValidCnIdNumber(ColumnMapExpectation):
    """Values are resident ID numbers valid per ``shared.cn_id`` (length, check digit, birth date, area code)."""

    map_metric = "column_values.valid_cn_id_number"
    success_keys = ("mostly",)


class ColumnValuesValidCnCreditCode(ColumnMapMetricProvider):
    condition_metric_name = "column_values.valid_cn_credit_code"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: object) -> pd.Series:
        return column.map(lambda v: isinstance(v, str) and uscc.is_valid(v))


class ExpectColumnValuesToBeValidCnCreditCode(ColumnMapExpectation):
    """Values are unified social credit codes (GB 32100-2015) with a valid check character."""

    map_metric = "column_values.valid_cn_credit_code"
    success_keys = ("mostly",)
