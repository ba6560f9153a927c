"""How long the portal's check of an upload takes on a 2,000-row award sheet (issue 20).

Run: ``.venv/bin/python -m tools.upload_timing [--rows 2000] [--repeat 3]``

The sheet is the sample school's real award list (raw/2024/昌邑区/吉林市昌邑区职业高级中学/
获奖名单v2.csv) grown to ``--rows`` rows, each a different pupil with a valid ID number, saved
as .xlsx the way Excel saves it; ``portal.checking.check_file`` checks it as the upload view
does (reading, recognition, the GX suite, the ID rule, scope), against the 2024 registry. The
first check in a process pays for importing Great Expectations and building its suite; the
portal pays that once, so both are printed. A measurement, not a test: the figure goes into
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import time

import xlsxwriter

from dagster_project.core.cn_id import check_digit
from dagster_project.core.settings import PROJECT_ROOT, Limits

SOURCE = PROJECT_ROOT / "raw/2024/昌邑区/吉林市昌邑区职业高级中学/获奖名单v2.csv"
SCHOOL = "5122020113"


def award_sheet(rows: int) -> bytes:
    """``rows`` award rows cycling through the sample's nine, each with its own pupil."""
    lines = list(csv.reader(io.StringIO(SOURCE.read_text(encoding="gb18030"))))
    header, sample = lines[0], [r for r in lines[1:10]]
    id_col = header.index("身份证号")
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("获奖名单")
    ws.write_row(0, 0, header)
    for i in range(rows):
        row = list(sample[i % len(sample)])
        body = f"220202{2006 + i % 3}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        row[id_col] = body + check_digit(body)
        ws.write_row(i + 1, 0, row)
    wb.close()
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = award_sheet(args.rows)
    start = time.perf_counter()
    from dagster_project.portal.checking import check_file  # imported inside the timing: the cold check includes it

    def once() -> float:
        t = time.perf_counter()
        result = check_file("获奖名单.xlsx", data, Limits(), [(2024, SCHOOL)], lambda code, year: code == SCHOOL)
        elapsed = time.perf_counter() - t
        [sheet] = result.sheets
        assert result.accepted and sheet.rows == args.rows, (sheet.status, sheet.rows, sheet.reasons[:3])
        return elapsed

    once()
    cold = time.perf_counter() - start
    warm = [once() for _ in range(args.repeat)]
    print(f"{args.rows}-row award sheet ({len(data)} bytes .xlsx), accepted:")
    print(f"  first check in a fresh process (imports Great Expectations): {cold:.2f} s")
    print(f"  each further check: median {statistics.median(warm):.2f} s (runs: {', '.join(f'{w:.2f}' for w in warm)})")


if __name__ == "__main__":
    main()
