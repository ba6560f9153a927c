"""Validation outcomes as Dagster asset checks.

A rejected sheet is the submitter's problem, not the pipeline's: the check fails with
WARN severity (visible in the UI, with the reasons) while the run succeeds and every
other submission is loaded.
"""

from __future__ import annotations

from typing import Any

import dagster as dg

from dagster_project.core.templates import TEMPLATES
from dagster_project.store.load import IngestReport

GX_CHECK = "great_expectations_suite"
FILES_CHECK = "every_file_recognised"
MAX_REASONS_SHOWN = 40


def check_specs(submission_key: dg.AssetKey | None = None, audit_key: dg.AssetKey | None = None) -> list[dg.AssetCheckSpec]:
    specs = [
        dg.AssetCheckSpec(
            GX_CHECK,
            asset=dg.AssetKey(["submissions", t.key]),
            description=f"{t.zh}：每个工作表须通过 expectations/{t.key}.json 全部校验，否则整表退回 (GX suite; a failing sheet is rejected whole)",
        )
        for t in TEMPLATES.values()
    ]
    specs.append(
        dg.AssetCheckSpec(
            FILES_CHECK,
            asset=dg.AssetKey(["audit", "submissions"]),
            description="每个文件都能读取且表头可识别 (every file readable, every sheet's header recognised)",
        )
    )
    return specs


def _reason_lines(problems: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for p in problems:
        where = p["source_file"] + (f" [{p['sheet']}]" if p["sheet"] else "")
        reasons = (p["reasons"] or "").splitlines()
        lines.append(f"- **{where}** ({p['status']})")
        lines += [f"  - {r}" for r in reasons[:10]]
        if len(reasons) > 10:
            lines.append(f"  - …另有{len(reasons) - 10}条 ({len(reasons) - 10} more, see audit.submissions)")
        if len(lines) > MAX_REASONS_SHOWN:
            lines.append("- … (see `vocwh status`)")
            break
    return "\n".join(lines) or "无 (none)"


def check_results(report: IngestReport, outstanding: list[dict[str, Any]]) -> list[dg.AssetCheckResult]:
    """Each check reports the warehouse's current state, not just this run's news: a quiet run
    that read nothing still fails the check while a rejected sheet awaits a corrected file.

    ``outstanding`` is ``warehouse.outstanding_problems`` read after this run's ingestion."""
    results = []
    for t in TEMPLATES.values():
        rejected = [p for p in outstanding if p["status"] == "rejected" and p["template"] == t.key]
        validated = sum(1 for o in report.outcomes if o.verdict is not None and o.template is not None and o.template.key == t.key)
        results.append(
            dg.AssetCheckResult(
                asset_key=dg.AssetKey(["submissions", t.key]),
                check_name=GX_CHECK,
                passed=not rejected,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "sheets_rejected_outstanding": len(rejected),
                    "sheets_validated_this_run": validated,
                    "sheets_rejected_this_run": report.count("rejected", t.key),
                    "rejections": dg.MetadataValue.md(_reason_lines(rejected)),
                },
            )
        )
    bad = [p for p in outstanding if p["status"] in ("unrecognised", "unreadable")]
    results.append(
        dg.AssetCheckResult(
            asset_key=dg.AssetKey(["audit", "submissions"]),
            check_name=FILES_CHECK,
            passed=not bad,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "unreadable_outstanding": sum(1 for p in bad if p["status"] == "unreadable"),
                "unrecognised_outstanding": sum(1 for p in bad if p["status"] == "unrecognised"),
                "problems": dg.MetadataValue.md(_reason_lines(bad)),
            },
        )
    )
    return results
