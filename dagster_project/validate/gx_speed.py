"""Two fixed costs of Great Expectations 1.24 taken out of every validation.

Our frames are small (a few stacked sheets) and our suites long (25-65 expectations), so a
validation's time is GX's bookkeeping per expectation, not the data. Two parts of it repeat
work whose result cannot differ:

- ``Expectation.configuration`` is a property that rebuilds an ``ExpectationConfiguration``
  from the pydantic model on every access, and the helpers that collect an expectation's
  domain, success and runtime kwargs read it once per key they look up (about 40,000 rebuilds for
  the crash tests' city: 27 sheets, eight templates). The four helpers below are GX's own, with
  ``self.configuration.kwargs`` read once at the top instead of in the loop. Nothing is
  kept between calls, so they return what GX's return.
- Each metric of an expectation with a ``row_condition`` filters the frame again with
  ``DataFrame.query`` (five or six times per expectation), and pandas builds a resolver
  for every column of the frame each time. Within one validation (``one_validation``) the
  filtered frame of a given frame and condition is computed once; outside it, GX's own
  method runs. The cache holds the frame itself, so an id is never reused, and is per
  thread (the portal checks uploads while its warm-up thread validates).

tests/test_suites.py compares the helpers with GX's for every expectation of every
committed suite, and the rejection-reason tests run through both changes, so a GX upgrade
that breaks an assumption fails there first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from great_expectations.exceptions import InvalidExpectationKwargsError
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.expectation_configuration import parse_result_format

log = logging.getLogger("great_expectations.expectations.expectation")

HELPERS = ("_get_success_kwarg", "_get_domain_kwargs", "_get_success_kwargs", "_get_runtime_kwargs")
ORIGINAL = {name: getattr(Expectation, name) for name in HELPERS}


def _success_kwarg(self: Expectation, kwargs: dict[str, Any], key: str, default: Any = None) -> Any:
    if key in kwargs:
        return kwargs[key]
    field = self.__fields__.get(key)
    if field is not None:
        return field.default if not field.required else default
    log.warning(f'_get_success_kwarg called with key "{key}", but it is not a known field of {type(self).__name__}')
    return default


def _get_success_kwarg(self: Expectation, key: str, default: Any = None) -> Any:
    return _success_kwarg(self, self.configuration.kwargs, key, default)


def _get_domain_kwargs(self: Expectation) -> dict[str, str | None]:
    kwargs = self.configuration.kwargs
    domain_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.domain_keys}
    missing_kwargs = set(self.domain_keys) - set(domain_kwargs.keys())
    if missing_kwargs:
        raise InvalidExpectationKwargsError(f"Missing domain kwargs: {list(missing_kwargs)}")
    return domain_kwargs


def _get_success_kwargs(self: Expectation) -> dict[str, Any]:
    domain_kwargs = self._get_domain_kwargs()
    kwargs = self.configuration.kwargs
    success_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.success_keys}
    success_kwargs.update(domain_kwargs)
    return success_kwargs


def _get_runtime_kwargs(self: Expectation, runtime_configuration: dict | None = None) -> dict:
    runtime_configuration = runtime_configuration or {}
    success_kwargs = self._get_success_kwargs()
    kwargs = self.configuration.kwargs
    runtime_kwargs = {key: runtime_configuration.get(key, _success_kwarg(self, kwargs, key)) for key in self.runtime_keys}
    runtime_kwargs.update(success_kwargs)
    runtime_kwargs["result_format"] = parse_result_format(runtime_kwargs["result_format"])
    return runtime_kwargs


_FILTER = PandasExecutionEngine._apply_row_condition_filter
_local = threading.local()


@contextmanager
def one_validation() -> Iterator[None]:
    """Row-condition filters computed once while this block runs (one ``validate`` call)."""
    _local.filtered = {}
    try:
        yield
    finally:
        _local.filtered = None


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


FASTER = {
    "_get_success_kwarg": _get_success_kwarg,
    "_get_domain_kwargs": _get_domain_kwargs,
    "_get_success_kwargs": _get_success_kwargs,
    "_get_runtime_kwargs": _get_runtime_kwargs,
}


def install() -> None:
    """Put the four helpers on ``Expectation`` (no subclass in GX 1.24 defines its own) and
    the filter on the pandas engine."""
    for name, fn in FASTER.items():
        setattr(Expectation, name, fn)
    PandasExecutionEngine._apply_row_condition_filter = _apply_row_condition_filter
