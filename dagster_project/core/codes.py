"""Code lists, read from the dbt seeds so Python and SQL share one copy.

Further county-level codes (development zones, or a whole province's counties when the
warehouse serves a province) come from the CSV named by ``VOCWH_COUNTIES_FILE``, in the
seed's columns (county_code, county_name, county_type).
"""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

from dagster_project.core.settings import SEEDS_DIR


@lru_cache(maxsize=8)
def _read(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["county_code"].strip(): row["county_name"].strip() for row in csv.DictReader(f)}


def county_names() -> dict[str, str]:
    """Known county codes -> names: the seed, plus ``VOCWH_COUNTIES_FILE`` if set."""
    names = dict(_read(SEEDS_DIR / "ref_counties.csv"))
    extra = os.environ.get("VOCWH_COUNTIES_FILE")
    if extra:
        names.update({k: v for k, v in _read(Path(extra)).items() if k not in names})
    return names
