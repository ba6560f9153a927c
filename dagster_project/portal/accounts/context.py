"""The signed-in user's scope in every template (the nav shows only what the role may do;
the views check again on the server)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dagster_project.portal.accounts.scope import NoScope, scope_of


def scope(request: HttpRequest) -> dict[str, Any]:
    try:
        return {"scope": scope_of(request.user)}
    except NoScope:
        return {"scope": None}
