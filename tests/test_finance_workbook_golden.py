"""The finance workbook does not change when its sheets move into dbt (issue 17).

``tests/data/finance_workbook_golden.json`` holds every sheet of the workbooks (2023-2025)
that the code before issue 17 (commit 9a9e5e1, the sheets assembled in Python) wrote on the
``published_city`` build: each cell's value, type, number format, quote prefix, fill and
weight, and each sheet's frozen panes, print titles, filter and column widths. The workbook
written now from the report models (dbt/models/reports/finance) must be the same, sheet by
sheet. Only the generation time on 说明 differs from run to run; it is normalised.

The file was made by running the baseline's own code (a ``git worktree`` of 9a9e5e1, with
PYTHONPATH pointing at it) on the published_city input, then ``python
tests/test_finance_workbook_golden.py finance_2023.xlsx finance_2024.xlsx finance_2025.xlsx``
on its workbooks. When the workbook is meant to change, rewrite the file with the same
command from workbooks the new code writes on published_city, and say why in the commit.

Rewritten for issue 21, on purpose: every figure sheet has the year's approval note in row 2
(so its table starts a row lower, every value the same), narrower columns and wrapped names so
that it prints at 8 pt or more (the wide sheets on A3), 说明's long sentences wrapped across its
columns, and 审批后变更's 行标识 in words instead of "2024 | <code>".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.core.templates import TEMPLATES
from dagster_project.publish.common import _choice_spec
from dagster_project.publish.finance import write_finance_workbook

GOLDEN = Path(__file__).parent / "data" / "finance_workbook_golden.json"
YEARS = (2023, 2024, 2025)
_GENERATED_AT = re.compile(r"生成时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _cell(c: Any) -> dict[str, Any] | None:
    """What a reader sees of one cell; None for a cell with neither value nor style worth noting."""
    value = c.value
    if isinstance(value, str):
        value = _GENERATED_AT.sub("生成时间：<now>", value)
    out: dict[str, Any] = {"v": value, "t": c.data_type}
    if c.number_format != "General":
        out["fmt"] = c.number_format
    if c.quotePrefix:
        out["qp"] = True
    if c.fill is not None and c.fill.fill_type == "solid":
        out["fill"] = c.fill.fgColor.rgb
    if c.font is not None and c.font.b:
        out["bold"] = True
    if c.alignment is not None and c.alignment.wrap_text:
        out["wrap"] = True
    if value is None and len(out) == 2:
        return None
    return out


def dump_workbook(path: Path) -> dict[str, Any]:
    """Every sheet of a workbook as plain JSON data, in sheet order."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                got = _cell(c)
                if got is not None:
                    cells[c.coordinate] = got
        sheets[ws.title] = {
            "freeze_panes": ws.freeze_panes,
            "print_title_rows": ws.print_title_rows,
            "autofilter": ws.auto_filter.ref,
            "landscape": ws.page_setup.orientation,
            "paper": ws.page_setup.paperSize,
            "fit": [ws.page_setup.fitToWidth, ws.page_setup.fitToHeight],
            "footer": ws.oddFooter.center.text,
            "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.width},
            "cells": cells,
        }
    return {"sheetnames": wb.sheetnames, "sheets": sheets}


@pytest.mark.parametrize("year", YEARS)
def test_workbook_is_unchanged_sheet_by_sheet(con: duckdb.DuckDBPyConnection, tmp_path: Path, year: int) -> None:
    """Issue 17: the workbook written from the report models shows what the Python sheets showed."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))[str(year)]
    # through JSON, as the golden file went: tuples become lists, dates text
    now = json.loads(json.dumps(dump_workbook(write_finance_workbook(con, year, tmp_path / f"finance_{year}.xlsx")), default=str))
    assert now["sheetnames"] == golden["sheetnames"]
    for name, sheet in golden["sheets"].items():
        got = now["sheets"][name]
        assert {k: v for k, v in got.items() if k != "cells"} == {k: v for k, v in sheet.items() if k != "cells"}, name
        differ = {
            c: (sheet["cells"].get(c), got["cells"].get(c))
            for c in sheet["cells"].keys() | got["cells"].keys()
            if sheet["cells"].get(c) != got["cells"].get(c)
        }
        assert not differ, (year, name, dict(sorted(differ.items())[:10]))


def test_code_labels_are_the_templates(con: duckdb.DuckDBPyConnection) -> None:
    """The labels and orders the sheets show (rpt_finance__code_labels) are the template
    definitions' choices, every one of them, for each column the model covers."""
    rows = con.execute("SELECT column_name, code, label_zh, position FROM reports.rpt_finance__code_labels ORDER BY ALL").fetchall()
    columns = sorted({r[0] for r in rows})
    expected = []
    for column in columns:
        spec = _choice_spec(column)
        assert spec, column
        expected += [(column, c.value, c.zh, i) for i, c in enumerate(TEMPLATES[spec[0]].column(spec[1]).choices, 1)]
    assert rows == sorted(expected)
    assert set(columns) >= {"school_level", "training_type", "cooperation_type", "income_category", "competition_level", "prize"}


def golden_text(books: dict[str, Any]) -> str:
    """The golden file's layout: one line per cell, so a change reads as a short diff."""
    lines = ["{"]
    for i, (year, book) in enumerate(sorted(books.items())):
        lines.append(f' "{year}": {{"sheetnames": {json.dumps(book["sheetnames"], ensure_ascii=False)}, "sheets": {{')
        for j, (name, sheet) in enumerate(book["sheets"].items()):
            head = {k: v for k, v in sheet.items() if k != "cells"}
            lines.append(f"  {json.dumps(name, ensure_ascii=False)}: {{")
            for k, v in head.items():
                lines.append(f"   {json.dumps(k)}: {json.dumps(v, ensure_ascii=False, default=str)},")
            lines.append('   "cells": {')
            cells = list(sheet["cells"].items())
            for n, (coord, cell) in enumerate(cells):
                comma = "," if n < len(cells) - 1 else ""
                lines.append(f"    {json.dumps(coord)}: {json.dumps(cell, ensure_ascii=False, sort_keys=True, default=str)}{comma}")
            lines.append("  }}" + ("," if j < len(book["sheets"]) - 1 else ""))
        lines.append(" }}" + ("," if i < len(books) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # python tests/test_finance_workbook_golden.py finance_2023.xlsx finance_2024.xlsx ...: rewrite
    # the golden file from workbooks written by the code it should hold (see the docstring).
    import sys

    GOLDEN.write_text(golden_text({re.findall(r"\d{4}", Path(p).name)[-1]: dump_workbook(Path(p)) for p in sys.argv[1:]}), encoding="utf-8")
