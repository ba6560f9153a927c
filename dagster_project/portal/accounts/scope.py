"""What a portal user may see and do: the one place every view asks (issue 20).

| role    | covers                                                                    |
|---------|---------------------------------------------------------------------------|
| school  | its own school code                                                       |
| county  | its own code, and every submitter on its 催报 list (``chased_by_code``)   |
| city    | everything (and reviews, as a county does, the list it chases itself)      |
| finance | nothing to submit or review: read-only downloads                          |

Which county a school belongs to is read from the published snapshot's
``submission_status.chased_by_code``: the same rule as the 催报 list and ``vocwh review --all
--county`` (the registry's county, but a city-run school is the city's). So a county sees
exactly the schools it chases, and a school the registry does not list yet is covered only
by itself and the city.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from dagster_project.portal.accounts.models import ROLE_ZH
from dagster_project.portal.snapshot import chased_by


class NoScope(PermissionDenied):
    """A user without a portal profile (e.g. made with Django's createsuperuser): sees nothing."""


@dataclass(frozen=True)
class Scope:
    role: str
    code: str
    name: str
    username: str

    @property
    def role_zh(self) -> str:
        return ROLE_ZH.get(self.role, self.role)

    def covers(self, submitter_code: str | None, year: int | None = None) -> bool:
        """Whether this user may upload for, see the receipts of and review ``submitter_code``
        (in ``year``, or in any year when none is given). Finance covers nothing: it submits
        and reviews nothing, and downloads what everybody may read."""
        if not submitter_code:
            return self.role == "city"  # unattributed files are the city's to chase
        if self.role == "city":
            return True
        if self.role == "school":
            return submitter_code == self.code
        if self.role == "county":
            return submitter_code == self.code or self.code in chased_by(submitter_code, year)
        return False

    @property
    def can_upload(self) -> bool:
        return self.role in ("school", "county", "city")

    @property
    def can_review(self) -> bool:
        """Counties review their list; the city reviews its own (city-run schools, its own
        sheets), as ``vocwh review --all --county 220200`` does, and nobody else's."""
        return self.role in ("county", "city")

    def reviews(self, submitter_code: str | None, year: int | None = None) -> bool:
        """Whether this user reviews ``submitter_code``: it is on the user's own 催报 list."""
        if not submitter_code or not self.can_review:
            return False
        return submitter_code == self.code or self.code in chased_by(submitter_code, year)

    @property
    def can_approve(self) -> bool:
        return self.role == "city"

    @property
    def sees_outstanding(self) -> bool:
        """The 催报 list: counties and the city chase; schools see their own rounds instead."""
        return self.role in ("county", "city")

    @property
    def chaser_code(self) -> str | None:
        """Whose 催报 list this user reads: the county's, or every list for the city."""
        return self.code if self.role == "county" else (None if self.role == "city" else self.code)


def scope_of(user: object) -> Scope:
    """The scope of an authenticated user; ``NoScope`` (403) for one without a profile.
    (A missing one-to-one profile raises an AttributeError subclass, so getattr covers it.)"""
    profile = getattr(user, "profile", None) if getattr(user, "is_authenticated", False) else None
    if profile is None:
        raise NoScope("该账号没有门户角色，请联系市教育局。")
    return Scope(role=profile.role, code=profile.code, name=profile.display_name, username=user.get_username())  # type: ignore[attr-defined]


def client_address(request: HttpRequest) -> str:
    """The address django-axes locks with the username. Behind the HTTPS proxy
    (``VOCWH_PORTAL_HTTPS``) every request comes from the proxy, which appends the client's
    address to X-Forwarded-For: the last entry is the one nobody but the proxy wrote. Without
    the proxy the header is the client's own text and is ignored."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if getattr(settings, "HTTPS", False) else ""
    if forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))
