"""Issue 21: the finance workbook printed is legible. Fitted to A4 by scaling, 生均拨款 printed
at 4.9 pt; now every sheet prints one page wide at 8 pt or more (the wide ones on A3), and no
text is cut off: not 说明's descriptions, not its notes, not a wrapped cell.

The layout rule (publish.finance.paper_for) is checked on every sheet without a printer. When
LibreOffice is installed (``.ci/run`` installs it, with Carlito, Calibri's metric twin), the
workbook is printed to PDF as a finance office would and measured with ``pdftotext -bbox``:
the height of a word's box is proportional to its font size, so the text of 说明 (printed at
100 %, 11 pt) gives the scale, and every page's text must come out at 8 pt or more.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish.finance import BODY_PT, MIN_PRINT_PT, paper_for, sheets, write_finance_workbook
from tests.conftest import LOCKED_SCHOOL, PublishedCity

LEGIBLE_PT = 8.0


def test_every_sheet_has_a_paper_that_keeps_it_legible(published_city: PublishedCity) -> None:
    papers = {}
    for sheet in sheets():
        widths = [col.width for col in sheet.blocks[0].columns]
        _, name, size = paper_for(widths)
        assert size >= MIN_PRINT_PT > LEGIBLE_PT, sheet.name
        papers[sheet.name] = name
    assert papers["生均拨款"] == "A3" and papers["催报清单"] == "A4"
    with pytest.raises(ValueError, match="even on A3"):
        paper_for([30.0] * 40)
    assert paper_for([10.0] * 5) == (9, "A4", BODY_PT)


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def _shown(needle: str, text: str) -> bool:
    """``needle`` is printed whole: its characters in order, interleaved at most with the
    neighbouring cells' lines (a wrapped cell's lines alternate with the next cell's in the PDF)."""
    needle = re.sub(r"\s", "", needle)
    for start in (m.start() for m in re.finditer(re.escape(needle[0]), text)):
        pos = start
        for ch in needle[1:]:
            pos = text.find(ch, pos + 1)
            if pos < 0 or pos - start > 4 * len(needle):
                break
        else:
            return True
    return False


def _pages(pdf: Path) -> list[tuple[float, list[tuple[float, float, str]]]]:
    """Each page's width and its words as (box height, right edge, text)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for width, _, body in _PAGE.findall(html):
        words = [(float(y1) - float(y0), float(x1), t) for _, y0, x1, y1, t in _WORD.findall(body)]
        out.append((float(width), words))
    return out


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")), reason="LibreOffice and poppler not installed")
def test_printed_by_libreoffice_every_page_is_8pt_or_more(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    book = write_finance_workbook(con, 2024, tmp_path / "finance_2024.xlsx")
    profile = tmp_path / "lo-profile"  # a private LibreOffice profile: two tests at once do not collide
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = tmp_path / "finance_2024.pdf"
    assert pdf.exists(), proc.stdout + proc.stderr
    pages = _pages(pdf)
    # 说明 prints at 100 %: its words' box height is the height of 11 pt text.
    readme = [h for h, _, _ in pages[0][1]]
    per_pt = statistics.median(readme) / BODY_PT
    sizes = []
    for width, words in pages:
        size = statistics.median(h for h, _, _ in words) / per_pt
        sizes.append(round(size, 1))
        assert size >= LEGIBLE_PT, (len(sizes), " ".join(t for _, _, t in words[:3]), size)
        assert max(x for _, x, _ in words) <= width - 0.4 * 72 + 1  # nothing runs past the right margin
    assert min(sizes) >= LEGIBLE_PT and len(pages) > 10

    # Nothing cut off: 说明's descriptions and notes, and 审批后变更's row in words, whole.
    text = "".join(t for _, words in pages for _, _, t in words)
    for sheet in sheets():
        assert _shown(sheet.help, text), sheet.name
    assert _shown("“审批后变更”表列出本年度所有不一致之处，包括尚未审批、因而不在各表中的报送。", text)
    assert _shown(f"2024年度，学校：吉林市旅游职业学校（{LOCKED_SCHOOL}）", text)
    assert not _shown("这句话不在工作簿里，一个字也不能少", text)
