"""The portal's pages: home (rounds, receipts, 催报), a receipt, review and approval.

Every view asks ``scope_of`` on the server for each object it shows or acts on: the menus
only hide what the role cannot use. What is shown comes from the published snapshot; the
one write, a review action, goes through ``store.review.act`` under the run lock, as the
command line does.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from typing import Any

import duckdb
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from dagster_project.core.runlock import RunInProgress, run_lock
from dagster_project.core.templates import TEMPLATES
from dagster_project.portal import snapshot
from dagster_project.portal.accounts.scope import Scope, scope_of
from dagster_project.portal.receipts import find_receipt, receipts_for
from dagster_project.store.review import ReviewError, ReviewResult, act

BUSY = "系统正在处理数据，请稍后再试"
TAKES_EFFECT = "操作已记入审核日志，下次运行后在汇总数据（含审批数据）中生效。"
# On the page before any action: the same rule, said in advance.
RULE = "每项操作立即记入审核日志，下次运行后在汇总数据（含审批数据）中生效。"
# How long an action waits for a running pipeline before giving up (seconds).
LOCK_WAIT_ENV = "VOCWH_PORTAL_LOCK_WAIT"
# One action at a time in this process: the run lock is re-entrant per process, so two
# threads of one server would otherwise both pass it and write the warehouse together.
_acting = threading.Lock()


def _year(request: HttpRequest, years: list[int]) -> int | None:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if raw.strip().isdigit() and int(raw) in years:
        return int(raw)
    return years[0] if years else None


def _rows_in_scope(scope: Scope, year: int) -> list[dict[str, Any]]:
    rows = snapshot.status_rows(year)
    if scope.role in ("city", "finance"):
        return rows  # finance reads everything, acts on nothing
    return [r for r in rows if scope.covers(r["submitter_code"], year)]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    context: dict[str, Any] = {"scope": scope}
    try:
        years = snapshot.years()
        year = _year(request, years)
        rows = _rows_in_scope(scope, year) if year is not None else []
        context.update(years=years, year=year, rows=rows, build=snapshot.snapshot_build_id(), no_snapshot=None)
    except snapshot.NoSnapshot as e:
        context.update(years=[], year=None, rows=[], build=None, no_snapshot=str(e))
        rows = []
    if scope.sees_outstanding:
        owed: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            if r["status"] in snapshot.OWED and (scope.role == "city" or r["chased_by_code"] == scope.code):
                owed[r["chased_by_code"]].append(r)
        context["outstanding"] = sorted(owed.items())
        context["outstanding_count"] = sum(len(v) for v in owed.values())
    context["receipts"] = receipts_for(scope) if scope.role != "finance" else []
    context["downloads"] = _downloads(context.get("year")) if scope.role in ("city", "finance") else []
    return render(request, "portal/home.html", context)


@require_GET
def receipt(request: HttpRequest, batch: str, name: str) -> HttpResponse:
    """One receipt, as published; 404 for a receipt outside the scope, as for one that does not exist."""
    scope = scope_of(request.user)
    found = find_receipt(scope, batch, name) if scope.role != "finance" else None
    if found is None:
        raise Http404("没有这份回执")
    response = FileResponse(found.path.open("rb"), content_type="text/html; charset=utf-8")
    # The receipt quotes submitted text: no script may run in it even if escaping failed.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# What finance and the city may download: the year's reports as publish writes them
# (publish.reports.finance_paths and the 催报 page), nothing else of the reports folder.
_DOWNLOAD = re.compile(r"^(?:finance_(?P<x>\d{4})\.xlsx|(?:summary|outstanding)_(?P<h>\d{4})\.html)$")
DOWNLOADS = (("finance_{year}.xlsx", "财政奖补工作簿"), ("summary_{year}.html", "汇总页"), ("outstanding_{year}.html", "催报清单"))


def _downloads(year: int | None) -> list[tuple[str, str]]:
    if year is None:
        return []
    reports = snapshot.vocwh_settings().reports_dir
    names = [(pattern.format(year=year), label) for pattern, label in DOWNLOADS]
    return [(name, label) for name, label in names if (reports / name).is_file()]


@require_GET
def download(request: HttpRequest, name: str) -> HttpResponse:
    """A year's finance workbook, summary or 催报 page, for finance and the city, as an
    attachment (the summary's charts run no script in the portal's pages)."""
    scope = scope_of(request.user)
    if scope.role not in ("city", "finance"):
        raise PermissionDenied("只有市教育局和财政部门的账号可以下载财务报表。")
    path = snapshot.vocwh_settings().reports_dir / name
    if not _DOWNLOAD.match(name) or path.is_symlink() or not path.is_file():
        raise Http404("没有这份报表")
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


def _lock_wait() -> float:
    import os

    raw = os.environ.get(LOCK_WAIT_ENV, "").strip()
    return float(raw) if raw else 15.0


def _readable(message: str) -> str:
    """store.review's messages name the command line's flags; the portal's fields have names."""
    return (
        message.replace("必须用 --by 注明经办人姓名", "缺少经办人")
        .replace("用 --reason 说明原因", "在“原因”栏说明原因")
        .replace("--reason", "“原因”")
    )


def _act(request: HttpRequest, scope: Scope, action: str, year: int, **kwargs: Any) -> list[ReviewResult] | None:
    """Call store.review.act as the signed-in person, under the run lock; None (message set) when refused."""
    by = f"{scope.name}（{scope.username}）"
    wh = snapshot.vocwh_settings()
    wait = _lock_wait()
    if not _acting.acquire(timeout=wait):
        messages.error(request, BUSY)
        return None
    try:
        with run_lock(wh.warehouse_dir, f"portal {action} by {scope.username}", timeout=wait):
            return act(wh.warehouse_path, action, year, by, os_user="portal", **kwargs)
    except RunInProgress:
        messages.error(request, BUSY)
    except duckdb.IOException as e:  # someone else (a BI tool, vocwh status) has the file open for writing
        if "lock" not in str(e).lower():
            raise
        messages.error(request, BUSY)
    except ReviewError as e:
        messages.error(request, _readable(str(e)))
    finally:
        _acting.release()
    return None


_COUNTY_FIRST = ("received", "revision_pending", "reopened", "reviewed")
_CITY_FIRST = ("reviewed", "revision_pending", "reopened", "received")
ACTION_ZH = {"review": "已审核", "approve": "已审批并锁定", "reopen": "已重新开放"}


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    """Counties review (one, or all that are ready in the county); the city approves and reopens."""
    scope = scope_of(request.user)
    if not (scope.can_review or scope.can_approve):
        raise PermissionDenied("只有县区教育局和市教育局的账号可以审核、审批。")
    try:
        years = snapshot.years()
    except snapshot.NoSnapshot as e:
        return render(request, "portal/review.html", {"scope": scope, "no_snapshot": str(e), "rows": [], "years": []})
    year = _year(request, years)
    if request.method == "POST":
        if year is None:
            raise Http404("没有这个年度")
        action = request.POST.get("action", "")
        if action not in ACTION_ZH or (action == "review" and not scope.can_review) or (action != "review" and not scope.can_approve):
            raise PermissionDenied("您的账号不能执行该操作。")
        reason = request.POST.get("reason", "").strip() or None
        if request.POST.get("all"):
            if action == "reopen":
                raise PermissionDenied("重新开放须逐项进行。")
            # review: one's own 催报 list (the county's, or the city's own schools); approve: the whole city
            done = _act(request, scope, action, year, every=True, county=scope.code if action == "review" else None, reason=reason)
        else:
            submitter = request.POST.get("submitter", "").strip()
            template = request.POST.get("template", "").strip()
            allowed = scope.reviews(submitter, year) if action == "review" else scope.covers(submitter, year)
            if template not in TEMPLATES or not allowed:
                raise Http404("您的账号范围内没有这项报送")
            done = _act(request, scope, action, year, template=template, submitter=submitter, reason=reason)
        if done:
            for r in done:
                version = f" 第 {r.version} 版" if r.version else ""
                messages.success(
                    request, f"{ACTION_ZH[r.action]}：{TEMPLATES[r.template].zh} {r.submitter_code} {r.year} 年度{version}（{r.by_name}）"
                )
            messages.info(request, TAKES_EFFECT)
        return redirect(f"{request.path}?year={year}")
    # Every received round, whatever the snapshot says of it: an action since the last run
    # (the county's review) is not in it yet, and store.review.act decides what is allowed.
    rows = [r for r in _rows_in_scope(scope, year) if r["current_version"] is not None] if year is not None else []
    # what waits for this role first (as of the last run), the settled ones last
    first = _CITY_FIRST if scope.can_approve else _COUNTY_FIRST
    rows.sort(key=lambda r: first.index(r["status"]) if r["status"] in first else len(first))
    for r in rows:
        r["reviewable"] = r["submitter_code"] == scope.code or r["chased_by_code"] == scope.code
    return render(
        request,
        "portal/review.html",
        {"scope": scope, "years": years, "year": year, "rows": rows, "build": snapshot.snapshot_build_id(), "takes_effect": RULE},
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form without its token (an old tab, cookies blocked, or another site's post): refused,
    said in words a clerk can act on."""
    return render(request, "portal/403.html", {"message": "页面已过期或来源不明，操作未执行。请返回上一页，刷新后重试。"}, status=403)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else "您的账号无权访问该页面。"
    return render(request, "portal/403.html", {"message": message}, status=403)
