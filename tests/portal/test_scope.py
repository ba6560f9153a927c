"""``Scope.covers``, which every view and the upload check ask (issue 20), on the published
sample city. The county of each school is written here from the registries by eye."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.core.settings import Settings
from dagster_project.portal.accounts.scope import NoScope, Scope, scope_of
from tests.conftest import HOSTILE_SCHOOL
from tests.portal.conftest import CHANGYI, CHANGYI_PRIVATE, CHANGYI_SCHOOL, CHUANYING, CHUANYING_SCHOOL, CITY, CITY_RUN_IN_CHANGYI

SCHOOL = Scope("school", CHANGYI_SCHOOL, "昌邑区职业高级中学 王丽", "changyi_zg")
COUNTY = Scope("county", CHANGYI, "昌邑区教育局 李强", "changyi_jyj")
CITY_SCOPE = Scope("city", CITY, "市教育局 陈静", "jls_jyj")
FINANCE = Scope("finance", "220200CZ", "市财政局 周涛", "jls_czj")


def test_a_school_covers_itself_only(portal: Settings) -> None:
    assert SCHOOL.covers(CHANGYI_SCHOOL) and SCHOOL.covers(CHANGYI_SCHOOL, 2024)
    assert not SCHOOL.covers(CHANGYI_PRIVATE) and not SCHOOL.covers(CHANGYI) and not SCHOOL.covers(None)
    assert (SCHOOL.can_upload, SCHOOL.can_review, SCHOOL.can_approve) == (True, False, False)


def test_a_county_covers_itself_and_the_schools_it_chases(portal: Settings) -> None:
    assert COUNTY.covers(CHANGYI) and COUNTY.covers(CHANGYI_SCHOOL, 2024) and COUNTY.covers(CHANGYI_PRIVATE, 2024)
    assert not COUNTY.covers(CITY_RUN_IN_CHANGYI, 2024)  # city-run: the city chases it
    assert not COUNTY.covers(CHUANYING_SCHOOL) and not COUNTY.covers(CHUANYING) and not COUNTY.covers(CITY)
    assert not COUNTY.covers(None) and not COUNTY.covers("9999999999")
    assert (COUNTY.can_upload, COUNTY.can_review, COUNTY.can_approve) == (True, True, False)


def test_a_county_covers_a_school_in_the_years_the_registry_places_it_there(portal: Settings) -> None:
    """The hostile city's school is registered for 2025 only (tests/conftest.py)."""
    assert COUNTY.covers(HOSTILE_SCHOOL, 2025)
    assert not COUNTY.covers(HOSTILE_SCHOOL, 2024)
    assert COUNTY.covers(HOSTILE_SCHOOL)  # any year


def test_the_city_covers_everything_and_finance_nothing(portal: Settings) -> None:
    for code in (CHANGYI_SCHOOL, CITY_RUN_IN_CHANGYI, CHUANYING, CITY, None, "9999999999"):
        assert CITY_SCOPE.covers(code)
        assert not FINANCE.covers(code)
    assert (CITY_SCOPE.can_upload, CITY_SCOPE.can_review, CITY_SCOPE.can_approve) == (True, True, True)
    assert (FINANCE.can_upload, FINANCE.can_review, FINANCE.can_approve) == (False, False, False)


def test_before_anything_is_published_a_county_covers_only_itself(settings: object, tmp_path: Path) -> None:
    settings.VOCWH = Settings(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="k")  # type: ignore[attr-defined]
    assert COUNTY.covers(CHANGYI) and not COUNTY.covers(CHANGYI_SCHOOL)


@pytest.mark.django_db
def test_scope_of_a_user(users: dict) -> None:  # type: ignore[type-arg]
    assert scope_of(users["county"]) == COUNTY
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NoScope):
        scope_of(AnonymousUser())


def test_each_reviews_its_own_list_only(portal: Settings) -> None:
    assert COUNTY.reviews(CHANGYI_SCHOOL, 2024) and COUNTY.reviews(CHANGYI) and not COUNTY.reviews(CITY_RUN_IN_CHANGYI, 2024)
    assert CITY_SCOPE.reviews(CITY_RUN_IN_CHANGYI, 2024) and CITY_SCOPE.reviews(CITY)
    assert not CITY_SCOPE.reviews(CHANGYI_SCHOOL, 2024) and not CITY_SCOPE.reviews(CHANGYI)
    assert not SCHOOL.reviews(CHANGYI_SCHOOL) and not FINANCE.reviews(CITY)
