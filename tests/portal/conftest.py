"""Shared fixtures of the portal tests (issue 20): Django on the portal's own settings, a
user of each role, and a published warehouse to read and act on.

The settings module is named here, not in pyproject: the rest of the suite never loads
Django. The warehouse is the real one (``published_city``: the sample city ingested and
built by the real dbt), published with the real ``publish_snapshot`` and receipts, copied
so a test never changes the shared build.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dagster_project.portal.settings")

import django

django.setup()

import duckdb  # noqa: E402
import pytest  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AbstractBaseUser  # noqa: E402
from django.test import Client  # noqa: E402

from dagster_project.core.settings import Settings  # noqa: E402
from dagster_project.portal.accounts.models import Profile  # noqa: E402
from tests.conftest import PublishedCity, SharedBuildFailed, made_once  # noqa: E402

# The sample city's 2024 registry (raw/2024/市教育局/全市职业院校名录（2024年）.xlsx), read by eye:
# 昌邑区 (220202) runs 5122020113 and chases the private 5122020188; 吉林市卫生学校 5122020062
# stands in 昌邑区 but is city-run, so the city chases it; 船营区 (220204) runs 5122020121.
CHANGYI = "220202"
CHUANYING = "220204"
CHANGYI_SCHOOL = "5122020113"
CHANGYI_PRIVATE = "5122020188"
CITY_RUN_IN_CHANGYI = "5122020062"
CHUANYING_SCHOOL = "5122020121"
CITY = "220200"

BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    code: str
    name: str


ACCOUNTS = {
    "school": Account("changyi_zg", "school", CHANGYI_SCHOOL, "昌邑区职业高级中学 王丽"),
    "other_school": Account("chuanying_zg", "school", CHUANYING_SCHOOL, "船营区职业高级中学 赵敏"),
    "county": Account("changyi_jyj", "county", CHANGYI, "昌邑区教育局 李强"),
    "other_county": Account("chuanying_jyj", "county", CHUANYING, "船营区教育局 孙伟"),
    "city": Account("jls_jyj", "city", CITY, "市教育局 陈静"),
    "finance": Account("jls_czj", "finance", "220200CZ", "市财政局 周涛"),
}


def make_user(account: Account, password: str | None = None) -> AbstractBaseUser:
    """A user with its profile, as ``vocwh user add`` makes one (no password: force_login only,
    which spares the password hasher's deliberate slowness where login is not under test)."""
    user = get_user_model().objects.create_user(username=account.username, password=password, first_name=account.name)
    Profile.objects.create(user=user, role=account.role, code=account.code, display_name=account.name)
    return user


@pytest.fixture(autouse=True)
def _no_warehouse_by_default(settings: object, tmp_path: Path) -> None:
    """A test that names no warehouse gets an empty one, never the checkout's own ``warehouse/``."""
    settings.VOCWH = Settings(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "no-warehouse", pii_key="k")  # type: ignore[attr-defined]


@pytest.fixture
def users(db: None) -> dict[str, AbstractBaseUser]:
    return {key: make_user(a) for key, a in ACCOUNTS.items()}


def client_for(user: AbstractBaseUser, **kwargs: object) -> Client:
    c = Client(**kwargs)  # type: ignore[arg-type]
    c.force_login(user, backend=BACKEND)
    return c


@pytest.fixture
def clients(users: dict[str, AbstractBaseUser]) -> dict[str, Client]:
    return {key: client_for(u) for key, u in users.items()}


def _publish(settings: Settings) -> None:
    """The real publishing of a run: the snapshot, 2024's reports, the receipts of every batch."""
    from dagster_project.publish.reports import produce_receipts, produce_reports
    from dagster_project.publish.snapshot import publish_snapshot

    publish_snapshot(settings)
    produce_reports(settings, [2024])
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        batches = [r[0] for r in con.execute("SELECT DISTINCT run_id FROM audit.submissions WHERE run_id IS NOT NULL").fetchall()]
    for batch in batches or [None]:
        produce_receipts(settings, batch)


@pytest.fixture(scope="session")
def portal_city(published_city: PublishedCity, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The sample city as a run leaves it: working database, snapshot and receipts (read only).
    Under pytest-xdist it is made once for both workers, in the session's shared folder."""
    src = published_city.settings

    def make(root: Path) -> None:
        (root / "wh").mkdir()
        shutil.copy2(src.warehouse_path, root / "wh" / "warehouse.duckdb")
        _publish(Settings(raw_dir=src.raw_dir, warehouse_dir=root / "wh", pii_key=src.pii_key))

    if os.environ.get("PYTEST_XDIST_WORKER"):
        try:
            root = made_once(tmp_path_factory.getbasetemp().parent, "portal_city", make)
        except SharedBuildFailed as e:
            pytest.fail(str(e))
    else:
        root = tmp_path_factory.mktemp("portal_city")
        make(root)
    return Settings(raw_dir=src.raw_dir, warehouse_dir=root / "wh", pii_key=src.pii_key)


@pytest.fixture
def portal(portal_city: Settings, settings: object) -> Settings:
    """The portal serving the published sample city (pages only: nothing writes)."""
    settings.VOCWH = portal_city  # type: ignore[attr-defined]
    return portal_city


@pytest.fixture
def portal_copy(portal_city: Settings, settings: object, tmp_path: Path) -> Iterator[Settings]:
    """The portal serving a private copy of the published city, for tests that act on it."""
    wh = tmp_path / "wh"
    shutil.copytree(portal_city.warehouse_dir, wh)
    copy = Settings(raw_dir=portal_city.raw_dir, warehouse_dir=wh, pii_key=portal_city.pii_key)
    settings.VOCWH = copy  # type: ignore[attr-defined]
    yield copy
