"""Fixed costs of Great Expectations 1.24 taken out of every validation.

Our frames are small (a few stacked sheets) and our suites long (25-65 expectations), so a
validation's time is GX's bookkeeping per expectation, not the data. Some of it repeats
work whose result cannot differ:

- ``Expectation.configuration`` is a property that rebuilds an ``ExpectationConfiguration``
  from the pydantic model on every access, and the helpers that collect an expectation's
  domain, success and runtime kwargs read it once per key they look up (about 40,000 rebuilds
  for the crash tests' city: 27 sheets, eight templates). The four helpers below are GX's
  own, with the kwargs read once at the top instead of in the loop. Within one validation
  (``one_validation``) each expectation's configuration is built once: the suite does not
  change while it runs, and the helpers build new dicts from it, never change it. Outside
  one, nothing is kept between calls.
- Each expectation asks ``registry.get_metric_kwargs`` for the kwargs of each metric it needs
  (five to eight), passing its configuration, which ``get_metric_kwargs`` turns back into an
  expectation (``to_domain_obj``, a pydantic validation) to read its runtime kwargs. Within
  one validation those are read once per configuration and runtime configuration;
  ``get_metric_kwargs`` is otherwise GX's, line for line.
- ``IDDict.to_id`` names every metric configuration by the MD5 of its JSON, and first passes
  each value through GX's ``convert_to_json_serializable``, whose checks cost more than the
  hash. For values it returns unchanged (text, whole numbers, booleans, finite floats,
  None: nearly all of ours) the conversion is skipped; any other value goes through it.
- Each metric of an expectation with a ``row_condition`` filters the frame again with
  ``DataFrame.query`` (five or six times per expectation), and pandas builds a resolver
  for every column of the frame each time. Within one validation (``one_validation``) the
  filtered frame of a given frame and condition is computed once; outside it, GX's own
  method runs. The cache holds the frame itself, so an id is never reused, and is per
  thread (the portal checks uploads while its warm-up thread validates).
- Each map expectation's ``unexpected_index_list`` metric (the failing rows, which our
  reasons name) selects the failing rows of the whole frame, every column of it (a hundred
  or so: each template column with its raw text, presence and word), only to list their
  index: about a third of a validation (py-spy, the crash tests' city). For a frame with
  an unnamed index and no ``unexpected_index_column_names`` (ours) the same selections
  are made on the index alone; anything else goes to GX's own function. Likewise the
  failing values (``unexpected_values``): GX drops the rows where the column is empty from
  the whole frame, then takes the one column; here the column is taken first.

tests/test_suites.py compares the helpers with GX's for every expectation of every
committed suite, and, on one validation of part of the sample with rejected sheets, ``to_id``,
``get_metric_kwargs`` and the failing rows and values with GX's own on every call; the
rejection-reason tests run through all of it, so a GX upgrade that breaks an assumption
fails there first.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import great_expectations.exceptions as gx_exceptions
import pandas as pd
from great_expectations.constants import MAX_RESULT_RECORDS
from great_expectations.core.id_dict import IDDict, IDDictID
from great_expectations.exceptions import InvalidExpectationKwargsError
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations import registry
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration, parse_result_format
from great_expectations.expectations.metrics.map_metric_provider import (
    column_map_condition_auxilliary_methods,
    map_condition_auxilliary_methods,
)
from great_expectations.expectations.metrics.util import get_dbms_compatible_metric_domain_kwargs
from great_expectations.util import convert_to_json_serializable

log = logging.getLogger("great_expectations.expectations.expectation")

HELPERS = ("_get_success_kwarg", "_get_domain_kwargs", "_get_success_kwargs", "_get_runtime_kwargs")
ORIGINAL = {name: getattr(Expectation, name) for name in HELPERS}
ORIGINAL_TO_ID = IDDict.to_id
_local = threading.local()


def _kwargs(self: Expectation) -> dict[str, Any]:
    """The expectation's configuration kwargs (its configuration is built once per validation)."""
    return self.configuration.kwargs


def _success_kwarg(self: Expectation, kwargs: dict[str, Any], key: str, default: Any = None) -> Any:
    if key in kwargs:
        return kwargs[key]
    field = self.__fields__.get(key)
    if field is not None:
        return field.default if not field.required else default
    log.warning(f'_get_success_kwarg called with key "{key}", but it is not a known field of {type(self).__name__}')
    return default


def _get_success_kwarg(self: Expectation, key: str, default: Any = None) -> Any:
    return _success_kwarg(self, _kwargs(self), key, default)


def _get_domain_kwargs(self: Expectation) -> dict[str, str | None]:
    kwargs = _kwargs(self)
    domain_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.domain_keys}
    missing_kwargs = set(self.domain_keys) - set(domain_kwargs.keys())
    if missing_kwargs:
        raise InvalidExpectationKwargsError(f"Missing domain kwargs: {list(missing_kwargs)}")
    return domain_kwargs


def _get_success_kwargs(self: Expectation) -> dict[str, Any]:
    domain_kwargs = self._get_domain_kwargs()
    kwargs = _kwargs(self)
    success_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.success_keys}
    success_kwargs.update(domain_kwargs)
    return success_kwargs


def _get_runtime_kwargs(self: Expectation, runtime_configuration: dict | None = None) -> dict:
    runtime_configuration = runtime_configuration or {}
    success_kwargs = self._get_success_kwargs()
    kwargs = _kwargs(self)
    runtime_kwargs = {key: runtime_configuration.get(key, _success_kwarg(self, kwargs, key)) for key in self.runtime_keys}
    runtime_kwargs.update(success_kwargs)
    runtime_kwargs["result_format"] = parse_result_format(runtime_kwargs["result_format"])
    return runtime_kwargs


def _plain(value: Any) -> bool:
    """A value ``convert_to_json_serializable`` returns as it is (a NaN float it makes None)."""
    t = type(value)
    return value is None or t is str or t is int or t is bool or (t is float and value == value)


def to_id(self: IDDict, id_keys: Any = None, id_ignore_keys: Any = None) -> IDDictID:
    """GX's ``IDDict.to_id``, without the conversion when every value is plain."""
    if id_keys is None:
        id_keys = self.keys()
    if id_ignore_keys is None:
        id_ignore_keys = self._id_ignore_keys
    id_keys = set(id_keys) - set(id_ignore_keys)
    if len(id_keys) == 0:
        return ()
    if len(id_keys) == 1:
        key = next(iter(id_keys))
        return f"{key}={self[key]!s}"
    data = {k: self[k] for k in id_keys}
    if not all(type(k) is str and _plain(v) for k, v in data.items()):
        data = convert_to_json_serializable(data=data)
    return hashlib.md5(json.dumps(data, sort_keys=True).encode("utf-8"), usedforsecurity=False).hexdigest()


ORIGINAL_CONFIGURATION = Expectation.configuration
ORIGINAL_GET_METRIC_KWARGS = registry.get_metric_kwargs
# the modules that imported get_metric_kwargs by name (GX 1.24): replaced in each
METRIC_KWARGS_USERS = (
    "great_expectations.expectations.registry",
    "great_expectations.expectations.expectation",
    "great_expectations.expectations.core.expect_column_values_to_be_of_type",
    "great_expectations.expectations.core.expect_column_values_to_be_in_type_list",
)


def _configuration(self: Expectation) -> ExpectationConfiguration:
    """``Expectation.configuration``: built once per expectation within one validation."""
    built: dict[int, tuple[Expectation, ExpectationConfiguration]] | None = getattr(_local, "configurations", None)
    if built is None:
        return ORIGINAL_CONFIGURATION.fget(self)  # type: ignore[attr-defined]
    hit = built.get(id(self))
    if hit is not None and hit[0] is self:
        return hit[1]
    made = ORIGINAL_CONFIGURATION.fget(self)  # type: ignore[attr-defined]
    built[id(self)] = (self, made)
    return made


def _runtime_kwargs(configuration: ExpectationConfiguration, runtime_configuration: dict | None) -> dict[str, Any]:
    """What GX's ``get_metric_kwargs`` reads of a configuration: its expectation's runtime kwargs.
    Within one validation, made once per configuration and runtime configuration; a copy each
    time, as GX hands out a new dict."""
    made: dict[tuple[int, str], tuple[ExpectationConfiguration, dict[str, Any]]] | None = getattr(_local, "runtime", None)
    if made is None:
        return configuration.to_domain_obj()._get_runtime_kwargs(runtime_configuration=runtime_configuration)
    key = (id(configuration), repr(runtime_configuration))
    hit = made.get(key)
    if hit is None or hit[0] is not configuration:
        hit = (configuration, configuration.to_domain_obj()._get_runtime_kwargs(runtime_configuration=runtime_configuration))
        made[key] = hit
    return dict(hit[1])


def get_metric_kwargs(
    metric_name: str, configuration: ExpectationConfiguration | None = None, runtime_configuration: dict | None = None
) -> dict:
    """GX's ``registry.get_metric_kwargs`` (1.24), with the configuration's runtime kwargs from
    ``_runtime_kwargs``; line for line otherwise."""
    try:
        metric_definition = registry._registered_metrics.get(metric_name)
        if metric_definition is None:
            raise gx_exceptions.MetricProviderError(f"No definition found for {metric_name}")
        default_kwarg_values = metric_definition["default_kwarg_values"]
        metric_kwargs = {
            "metric_domain_keys": metric_definition["metric_domain_keys"],
            "metric_value_keys": metric_definition["metric_value_keys"],
        }
        if configuration:
            configuration_kwargs = _runtime_kwargs(configuration, runtime_configuration)
            if "batch_id" in metric_kwargs["metric_domain_keys"] and configuration_kwargs.get("batch_id") is None:
                configuration_kwargs["batch_id"] = configuration.kwargs.get("batch_id")
            metric_kwargs["metric_domain_kwargs"] = IDDict(
                {k: configuration_kwargs.get(k) or default_kwarg_values.get(k) for k in metric_kwargs["metric_domain_keys"]}
            )
            metric_kwargs["metric_value_kwargs"] = IDDict(
                {
                    k: configuration_kwargs.get(k) if configuration_kwargs.get(k) is not None else default_kwarg_values.get(k)
                    for k in metric_kwargs["metric_value_keys"]
                }
            )
        return metric_kwargs
    except KeyError:
        raise gx_exceptions.MetricProviderError(f"Incomplete definition found for {metric_name}") from None


_FILTER = PandasExecutionEngine._apply_row_condition_filter


@contextmanager
def one_validation() -> Iterator[None]:
    """Row-condition filters, expectations' configurations and their runtime kwargs computed
    once while this block runs (one ``validate`` call)."""
    _local.filtered, _local.configurations, _local.runtime = {}, {}, {}
    try:
        yield
    finally:
        _local.filtered = _local.configurations = _local.runtime = None


def _apply_row_condition_filter(self: PandasExecutionEngine, data: pd.DataFrame, row_condition: Any, domain_kwargs: dict) -> pd.DataFrame:
    filtered: dict[tuple[int, str, Any], tuple[pd.DataFrame, pd.DataFrame]] | None = getattr(_local, "filtered", None)
    if filtered is None:
        return _FILTER(self, data, row_condition, domain_kwargs)
    key = (id(data), repr(row_condition), domain_kwargs.get("condition_parser"))
    hit = filtered.get(key)
    if hit is not None and hit[0] is data:
        return hit[1]
    result = _FILTER(self, data, row_condition, domain_kwargs)
    filtered[key] = (data, result)
    return result


ORIGINAL_MAP_CONDITION_INDEX = map_condition_auxilliary_methods._pandas_map_condition_index


def map_condition_index(
    cls: Any, execution_engine: PandasExecutionEngine, metric_domain_kwargs: dict, metric_value_kwargs: dict, metrics: dict, **kwargs: Any
) -> list[Any]:
    """GX's ``_pandas_map_condition_index`` with its two row selections made on a frame of no
    columns: the same index, the same alignment of the condition to it, nothing copied."""
    result_format = metric_value_kwargs["result_format"]
    unexpected, compute_domain_kwargs, accessor_domain_kwargs = metrics["unexpected_condition"]
    accessor = get_dbms_compatible_metric_domain_kwargs(
        metric_domain_kwargs=accessor_domain_kwargs, batch_columns_list=metrics["table.columns"]
    )
    records: pd.DataFrame = execution_engine.get_domain_records(domain_kwargs=dict(**compute_domain_kwargs, **accessor))
    if records.index.names[0] is not None or result_format.get("unexpected_index_column_names"):
        return ORIGINAL_MAP_CONDITION_INDEX(
            cls,
            execution_engine,
            metric_domain_kwargs=metric_domain_kwargs,
            metric_value_kwargs=metric_value_kwargs,
            metrics=metrics,
            **kwargs,
        )
    rows = records.iloc[:, :0]
    if "column" in accessor and kwargs.get("filter_column_isnull", getattr(cls, "filter_column_isnull", False)):
        rows = rows[records[accessor["column"]].notnull()]
    found = list(rows[unexpected].index)
    return found if result_format["result_format"] == "COMPLETE" else found[: result_format["partial_unexpected_count"]]


ORIGINAL_COLUMN_MAP_CONDITION_VALUES = column_map_condition_auxilliary_methods._pandas_column_map_condition_values


def column_map_condition_values(
    cls: Any, execution_engine: PandasExecutionEngine, metric_domain_kwargs: dict, metric_value_kwargs: dict, metrics: dict, **kwargs: Any
) -> list[Any]:
    """GX's ``_pandas_column_map_condition_values`` with the empty cells dropped from the one
    column it lists, not from the whole frame: the same values, index and alignment."""
    unexpected, compute_domain_kwargs, accessor_domain_kwargs = metrics["unexpected_condition"]
    if "column" not in accessor_domain_kwargs:  # GX's own error
        return ORIGINAL_COLUMN_MAP_CONDITION_VALUES(
            cls,
            execution_engine,
            metric_domain_kwargs=metric_domain_kwargs,
            metric_value_kwargs=metric_value_kwargs,
            metrics=metrics,
            **kwargs,
        )
    accessor = get_dbms_compatible_metric_domain_kwargs(
        metric_domain_kwargs=accessor_domain_kwargs, batch_columns_list=metrics["table.columns"]
    )
    values = execution_engine.get_domain_records(domain_kwargs=compute_domain_kwargs)[accessor["column"]]
    if kwargs.get("filter_column_isnull", getattr(cls, "filter_column_isnull", False)):
        values = values[values.notnull()]
    values = values[unexpected == True]  # noqa: E712  (GX's comparison, kept: it aligns the condition)
    result_format = metric_value_kwargs["result_format"]
    if result_format["result_format"] == "COMPLETE":
        return list(values[:MAX_RESULT_RECORDS])
    return list(values[: min(result_format["partial_unexpected_count"], MAX_RESULT_RECORDS)])


# GX registered these functions themselves for each map metric (map_metric_provider.py) when
# the metric classes were made: install() replaces them there.
REGISTERED = {ORIGINAL_MAP_CONDITION_INDEX: map_condition_index, ORIGINAL_COLUMN_MAP_CONDITION_VALUES: column_map_condition_values}
for _original, _ours in REGISTERED.items():
    _ours.metric_fn_type = getattr(_original, "metric_fn_type", None)  # type: ignore[attr-defined]


FASTER = {
    "_get_success_kwarg": _get_success_kwarg,
    "_get_domain_kwargs": _get_domain_kwargs,
    "_get_success_kwargs": _get_success_kwargs,
    "_get_runtime_kwargs": _get_runtime_kwargs,
}


def install() -> None:
    """Put the four helpers and the configuration on ``Expectation`` (no subclass in GX 1.24
    defines its own), ``get_metric_kwargs`` in the modules that call it, ``to_id`` on
    ``IDDict`` (nor does any subclass of it), the filter on the pandas engine and the failing
    rows' index and values in GX's registry of metrics."""
    for name, fn in FASTER.items():
        setattr(Expectation, name, fn)
    IDDict.to_id = to_id  # type: ignore[method-assign]
    Expectation.configuration = property(_configuration)  # type: ignore[method-assign,assignment]
    for name in METRIC_KWARGS_USERS:
        module = importlib.import_module(name)
        if getattr(module, "get_metric_kwargs", None) is ORIGINAL_GET_METRIC_KWARGS:
            module.get_metric_kwargs = get_metric_kwargs  # type: ignore[attr-defined]
    PandasExecutionEngine._apply_row_condition_filter = _apply_row_condition_filter
    for definition in registry._registered_metrics.values():  # every metric registered so far
        providers = definition.get("providers", {})
        for engine, (metric_class, fn) in list(providers.items()):
            if fn in REGISTERED:
                providers[engine] = (metric_class, REGISTERED[fn])
