"""Personal data: ID numbers become a keyed hash and a masked form, nothing else is kept.

The key comes from ``VOCWH_PII_KEY``. Without it a public development key is used and
the run says so loudly; with ``VOCWH_ENV=production`` the run refuses instead, because
hashes made with a public key can be reversed by anyone who enumerates ID numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
from functools import lru_cache

import yaml

from dagster_project.core.settings import DBT_PROJECT_DIR, Settings

log = logging.getLogger(__name__)

DEV_KEY_WARNING = (
    "VOCWH_PII_KEY 未设置：正在使用公开的开发密钥对身份证号做哈希，仅供开发演示。"
    " VOCWH_PII_KEY is not set: ID numbers are hashed with the public DEVELOPMENT key."
)


class PiiKeyError(RuntimeError):
    pass


def check_key(settings: Settings) -> str | None:
    """Refuse the development key in production; otherwise return a warning to show, if any."""
    if not settings.using_dev_key:
        return None
    if os.environ.get("VOCWH_ENV", "").strip().lower() == "production":
        raise PiiKeyError("VOCWH_ENV=production 但未设置 VOCWH_PII_KEY：拒绝运行。 Refusing to run in production without VOCWH_PII_KEY.")
    log.warning(DEV_KEY_WARNING)
    return DEV_KEY_WARNING


def person_key(id_number: str, key: str) -> str:
    """HMAC-SHA256 of the normalised ID number: stable per person, useless without the key."""
    return hmac.new(key.encode(), id_number.upper().encode(), hashlib.sha256).hexdigest()


def mask_id(id_number: str) -> str:
    """``220202199001011234`` -> ``220202********123X``-style: region code and last four kept."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


# ---- the personal-data guard --------------------------------------------------------------------
# One definition, in dbt_project.yml's vars, read by the dbt test
# assert_marts_hold_no_personal_data and by the BI snapshot (publish/snapshot.py).


@lru_cache(maxsize=1)
def _dbt_vars() -> dict[str, object]:
    with (DBT_PROJECT_DIR / "dbt_project.yml").open(encoding="utf-8") as f:
        return dict(yaml.safe_load(f).get("vars") or {})


def pii_column_pattern() -> str:
    """Column names that would carry a name or an ID number (RE2 and Python syntax alike)."""
    return str(_dbt_vars()["pii_column_pattern"])


def pii_value_patterns() -> list[str]:
    """Values that look like an ID number or a masked one."""
    return [str(p) for p in _dbt_vars()["pii_value_patterns"]]  # type: ignore[attr-defined]


def is_pii_column(name: str) -> bool:
    """person_key, the keyed hash, is allowed; person_name, id_masked, 身份证号 … are not."""
    return bool(re.match(pii_column_pattern(), name.strip()))
