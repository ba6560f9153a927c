"""The README's test command groups the tests marked ``xdist_group`` on one worker each
(tests/conftest.py): a group's module fixture (an ingest, a dbt build, a pipeline run) is
then made once. Nothing else would notice if it stopped: the tests pass scattered, only
slower."""

from __future__ import annotations

import os

import pytest

from tests.conftest import LOADGROUP

GROUP = "grouping_probe"
pytestmark = pytest.mark.xdist_group(GROUP)


def test_a_grouped_test_carries_its_group_on_a_worker(request: pytest.FixtureRequest) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("one process: nothing to group")
    # the controller's choice reached the worker, which parsed the command line again
    assert request.config.option.loadgroup == request.config.workerinput[LOADGROUP]  # type: ignore[attr-defined]
    if request.config.option.loadgroup:
        # pytest-xdist groups by the suffix it adds to the id; pytest 9.2 drops it
        assert request.node.nodeid.endswith(f"@{GROUP}"), request.node.nodeid
