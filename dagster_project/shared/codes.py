"""Code lists, read from the dbt seeds so Python and SQL share one copy."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from dagster_project.shared.settings import SEEDS_DIR


@lru_cache(maxsize=4)
def county_names(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """Known county codes -> names (Jilin City, its nine divisions, any configured 开发区)."""
    with (seeds_dir / "ref_counties.csv").open(encoding="utf-8") as f:
        return {row["county_code"]: row["county_name"] for row in csv.DictReader(f)}
