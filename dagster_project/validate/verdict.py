"""What validation says of one sheet, apart from Great Expectations.

Ingestion runs in a process of its own (``store.load.run_ingest_apart``) and hands its report
back to the Dagster process; a verdict travels in it, and unpickling it must not import Great
Expectations into a process that never validates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Verdict:
    """What validation says of one sheet."""

    reasons: list[str] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)  # one per expectation

    @property
    def passed(self) -> bool:
        return not self.reasons
