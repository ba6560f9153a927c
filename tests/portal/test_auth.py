"""Login, logout, throttling, CSRF and the login requirement of every page (issue 20: security).

Through Django's test client on the real URLconf and middleware; the login itself is the
real form with the real password hasher and django-axes.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.portal.conftest import ACCOUNTS, client_for, make_user

PASSWORD = "Lan-hua-2024-qiu"


def _sample_paths() -> list[str]:
    """Every path of the URLconf (B's upload app included), with each converter filled in."""
    out: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            else:
                out.append("/" + re.sub(r"<(?:\w+:)?\w+>", "x", route))

    walk(get_resolver().url_patterns, "")
    return out


def test_the_urlconf_has_the_paths_other_tools_rely_on() -> None:
    assert {"/login/", "/logout/", "/", "/upload/", "/review/"} <= set(_sample_paths())


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in _sample_paths() if p != "/login/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_page_but_login_sends_a_stranger_to_login(path: str, method: str) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == 302, (path, method, response.status_code)
    assert response["Location"].startswith("/login/?next="), response["Location"]


@pytest.mark.django_db
def test_the_login_page_has_username_and_password_fields() -> None:
    page = Client().get("/login/").content.decode()
    assert 'name="username"' in page and 'name="password"' in page and "csrfmiddlewaretoken" in page


@pytest.mark.django_db
def test_login_sets_a_httponly_samesite_lax_session_cookie_and_logout_ends_it() -> None:
    make_user(ACCOUNTS["school"], PASSWORD)
    c = Client()
    response = c.post("/login/", {"username": "changyi_zg", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # plain HTTP here; VOCWH_PORTAL_HTTPS=1 makes it Secure (test_settings)
    assert c.get("/").status_code == 200
    assert c.post("/logout/").status_code == 302
    assert c.get("/")["Location"].startswith("/login/")


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message() -> None:
    make_user(ACCOUNTS["school"], PASSWORD)
    response = Client().post("/login/", {"username": "changyi_zg", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.django_db
def test_the_sixth_wrong_password_is_locked_out_and_then_even_the_right_one() -> None:
    make_user(ACCOUNTS["school"], PASSWORD)
    c = Client(REMOTE_ADDR="10.1.2.3")
    for attempt in range(1, 5):
        r = c.post("/login/", {"username": "changyi_zg", "password": f"guess-{attempt}"})
        assert r.status_code == 200, attempt  # refused, not yet locked
    fifth = c.post("/login/", {"username": "changyi_zg", "password": "guess-5"})
    assert fifth.status_code == 429  # the fifth failure locks the pair
    sixth = c.post("/login/", {"username": "changyi_zg", "password": "guess-6"})
    assert sixth.status_code == 429
    assert "锁定 15 分钟" in sixth.content.decode()
    right = c.post("/login/", {"username": "changyi_zg", "password": PASSWORD})
    assert right.status_code == 429
    assert c.get("/").status_code == 302  # not logged in
    # the lock is on the username from that address: the same person elsewhere gets in
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert elsewhere.post("/login/", {"username": "changyi_zg", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_disabled_user_cannot_log_in_and_its_open_session_ends() -> None:
    user = make_user(ACCOUNTS["school"], PASSWORD)
    open_session = client_for(user)
    assert open_session.get("/").status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert open_session.get("/").status_code == 302
    r = Client().post("/login/", {"username": "changyi_zg", "password": PASSWORD})
    assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()


@pytest.mark.django_db
def test_a_user_without_a_portal_role_is_refused() -> None:
    user = get_user_model().objects.create_user(username="nobody")
    r = client_for(user).get("/")
    assert r.status_code == 403
    assert "没有门户角色" in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/review/", "/upload/", "/logout/"])
def test_a_post_without_csrf_token_is_refused(users: dict, path: str) -> None:  # type: ignore[type-arg]
    who = "county" if path == "/review/" else "school"
    c = client_for(users[who], enforce_csrf_checks=True)
    r = c.post(path, {"year": "2024", "action": "review", "all": "1"})
    assert r.status_code == 403, (path, r.status_code)
    assert "操作未执行" in r.content.decode()
    assert c.get("/").status_code == 200  # still logged in: the refused logout did nothing


@pytest.mark.django_db
def test_the_login_form_itself_needs_its_csrf_token() -> None:
    make_user(ACCOUNTS["school"], PASSWORD)
    r = Client(enforce_csrf_checks=True).post("/login/", {"username": "changyi_zg", "password": PASSWORD})
    assert r.status_code == 403


@pytest.mark.django_db
def test_behind_the_proxy_the_lock_is_on_the_address_the_proxy_appended(settings: object) -> None:
    """Without VOCWH_PORTAL_HTTPS X-Forwarded-For is the client's own text: it cannot dodge the lock."""
    make_user(ACCOUNTS["school"], PASSWORD)
    for n in range(5):  # five failures, each claiming a different forwarded address
        Client(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post("/login/", {"username": "changyi_zg", "password": "no"})
    assert Client(REMOTE_ADDR="10.1.2.3").post("/login/", {"username": "changyi_zg", "password": PASSWORD}).status_code == 429
    settings.HTTPS = True  # type: ignore[attr-defined]
    # behind the proxy every request comes from the proxy; the client is what it appended
    via = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.1.2.3")
    assert via.post("/login/", {"username": "changyi_zg", "password": PASSWORD}, secure=True).status_code == 429
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3, 198.51.100.7")
    assert other.post("/login/", {"username": "changyi_zg", "password": PASSWORD}, secure=True).status_code == 302
