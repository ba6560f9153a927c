"""What still needs a submitter's attention is the warehouse's state, not one run's news:
a quiet run keeps reporting an unfixed rejection, and a corrected file clears it."""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg

from dagster_project.defs.ingest import ingest_submissions
from dagster_project.defs.resources import RunLockResource, VocwhResource
from dagster_project.store.warehouse import connect, outstanding_problems
from tests.conftest import SCHOOL_A, registry_rows, write_csv, write_xlsx
from tests.test_ingest import ENROLL_HEADER


def _outstanding(city: Callable) -> list[tuple[str, str, str | None]]:
    with connect(city.settings.warehouse_path, read_only=True) as con:  # type: ignore[attr-defined]
        return [(p["status"], p["source_file"], p["template"]) for p in outstanding_problems(con)]


def test_rejection_stays_outstanding_until_a_corrected_file_arrives(city: Callable) -> None:
    raw = city.raw  # type: ignore[attr-defined]
    write_xlsx(raw / "名录.xlsx", {"Sheet1": registry_rows(), "Sheet2": []})
    # 40 exam-class pupils out of 30: the sheet is rejected.
    write_csv(raw / "在校生.csv", [ENROLL_HEADER, [2024, SCHOOL_A, "46", "装备制造大类", 30, 40, "90,000"]])
    (raw / "说明.csv").write_bytes(b"")  # an empty file: unreadable
    city()
    expected = [("rejected", "在校生.csv", "enrollment"), ("unreadable", "说明.csv", None)]
    assert sorted(_outstanding(city)) == sorted(expected)  # the empty Sheet2 is nobody's problem

    second = city()
    assert second.outcomes == []  # nothing new was read ...
    assert sorted(_outstanding(city)) == sorted(expected)  # ... and the rejection is still owed

    # The clerk sends the corrected sheet under another name: the rejection is cleared.
    write_csv(raw / "在校生-更正.csv", [ENROLL_HEADER, [2024, SCHOOL_A, "46", "装备制造大类", 30, 20, "90,000"]])
    city()
    assert _outstanding(city) == [("unreadable", "说明.csv", None)]


def test_quiet_run_reports_outstanding_rejections_in_the_asset_check(city: Callable) -> None:
    raw = city.raw  # type: ignore[attr-defined]
    write_xlsx(raw / "名录.xlsx", {"Sheet1": registry_rows()})
    write_csv(raw / "在校生.csv", [ENROLL_HEADER, [2024, SCHOOL_A, "46", "装备制造大类", 30, 40, "90,000"]])
    s = city.settings  # type: ignore[attr-defined]
    vocwh = VocwhResource(raw_dir=str(s.raw_dir), warehouse_dir=str(s.warehouse_dir), pii_key="test-key")
    resources = {"vocwh": vocwh, "run_lock": RunLockResource(vocwh=vocwh)}
    for run in range(2):  # the second run reads nothing new
        result = dg.materialize([ingest_submissions], resources=resources)
        evals = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
        enrol = evals[("submissions/enrollment", "great_expectations_suite")]
        assert not enrol.passed, f"run {run}"
        assert enrol.metadata["sheets_rejected_outstanding"].value == 1
        assert enrol.metadata["sheets_rejected_this_run"].value == (1 if run == 0 else 0)
        assert "在校生.csv" in enrol.metadata["rejections"].value
        assert evals[("submissions/training", "great_expectations_suite")].passed
