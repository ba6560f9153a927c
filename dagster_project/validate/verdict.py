"""What validation says of one sheet, apart from Great Expectations.

``store.decide`` and its tests use verdicts without validating anything; importing the
validator would load Great Expectations for seconds.
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
