"""Modules a library imports at start-up but vocwh never calls, loaded on first use instead.

Great Expectations imports every expectation it ships when it starts, and one of them (the
KL-divergence expectation, with two distribution metrics) imports ``scipy.stats`` and
``altair`` at module level: about 1.3 s of every process that validates, a third of a
corrected run's ingestion, for functions our suites never reach. Deferred with the
standard library's ``importlib.util.LazyLoader``, such a module is created at import and
executed on the first attribute read, so code that does use it still gets the whole module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the named modules as the normal path finder does, with their loader made lazy."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec  # not found, or a loader LazyLoader cannot wrap: import it as usual
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def defer(*names: str) -> None:
    """Load ``names`` on first use from now on; those already imported stay as they are."""
    pending = frozenset(n for n in names if n not in sys.modules)
    if pending and not any(isinstance(f, _DeferringFinder) and f.names >= pending for f in sys.meta_path):
        sys.meta_path.insert(0, _DeferringFinder(pending))
