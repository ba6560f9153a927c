"""Validation outcomes as Dagster asset checks.

A rejected sheet is the submitter's problem, not the pipeline's: the check fails with
WARN severity (visible in the UI, with the reasons) while the run succeeds and every
other submission is loaded.
"""

from __future__ import annotations

import dagster as dg

from dagster_project.ingest.pipeline import IngestReport
from dagster_project.shared.templates import TEMPLATES

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


def _reason_lines(report: IngestReport, statuses: tuple[str, ...], template: str | None) -> str:
    lines: list[str] = []
    for o in report.outcomes:
        if o.status not in statuses or o.empty_sheet:
            continue
        if template is not None and (o.template is None or o.template.key != template):
            continue
        where = o.file.rel + (f" [{o.sheet}]" if o.sheet else "")
        lines.append(f"- **{where}** ({o.status})")
        lines += [f"  - {r}" for r in o.reasons[:10]]
        if len(o.reasons) > 10:
            lines.append(f"  - …另有{len(o.reasons) - 10}条 ({len(o.reasons) - 10} more, see audit.submissions)")
        if len(lines) > MAX_REASONS_SHOWN:
            lines.append("- … (see audit.submissions)")
            break
    return "\n".join(lines) or "无 (none)"


def check_results(report: IngestReport) -> list[dg.AssetCheckResult]:
    results = []
    for t in TEMPLATES.values():
        rejected = report.count("rejected", t.key)
        validated = sum(1 for o in report.outcomes if o.verdict is not None and o.template is not None and o.template.key == t.key)
        results.append(
            dg.AssetCheckResult(
                asset_key=dg.AssetKey(["submissions", t.key]),
                check_name=GX_CHECK,
                passed=rejected == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "sheets_validated": validated,
                    "sheets_rejected": rejected,
                    "rejections": dg.MetadataValue.md(_reason_lines(report, ("rejected",), t.key)),
                },
            )
        )
    bad = [o for o in report.outcomes if o.status in ("unrecognised", "unreadable") and not o.empty_sheet]
    results.append(
        dg.AssetCheckResult(
            asset_key=dg.AssetKey(["audit", "submissions"]),
            check_name=FILES_CHECK,
            passed=not bad,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "unreadable": report.count("unreadable"),
                "unrecognised": sum(1 for o in bad if o.status == "unrecognised"),
                "problems": dg.MetadataValue.md(_reason_lines(report, ("unrecognised", "unreadable"), None)),
            },
        )
    )
    return results
