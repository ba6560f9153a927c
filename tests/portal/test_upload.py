"""/upload/ over HTTP: real sample files posted as a browser posts them, the page's verdicts,
what lands in the landing folder (the file system is looked at, not the code's word for it)
and the upload log.

The portal serves the published sample city (``portal_city``: its snapshot holds the 2024
registry the check reads) with a landing folder of the test's own, so nothing a test uploads
reaches the shared build.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dagster_project.core.settings import PROJECT_ROOT, Limits, Settings
from dagster_project.portal.upload.models import UploadAttempt
from tests.portal.conftest import CHANGYI_SCHOOL, client_for

AWARDS = PROJECT_ROOT / "raw/2024/昌邑区/吉林市昌邑区职业高级中学/获奖名单v2.csv"
TRAINING = PROJECT_ROOT / "raw/2024/昌邑区/吉林市昌邑区职业高级中学/2024年培训开展情况.xlsx"
# Every 18-character ID number in the school's award list: none may reach the upload log.
AWARD_IDS = set(re.findall(r"\d{17}[\dX]", AWARDS.read_text(encoding="gb18030")))


@pytest.fixture
def landing(portal_city: Settings, settings: object, tmp_path: Path) -> Path:
    """The published city with an empty landing folder of this test's own (under tmp_path/raw)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    settings.VOCWH = replace(portal_city, raw_dir=raw)  # type: ignore[attr-defined]
    return raw


def set_limits(settings: object, **limits: int) -> None:
    settings.VOCWH = replace(settings.VOCWH, limits=Limits(**limits))  # type: ignore[attr-defined]


def post(client: Client, name: str, data: bytes) -> tuple[int, str]:
    r = client.post("/upload/", {"file": SimpleUploadedFile(name, data)})
    return r.status_code, r.content.decode()


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def broken_awards() -> bytes:
    """The award list with the ID number on Excel row 2 given a wrong check digit."""
    text = AWARDS.read_text(encoding="gb18030")
    return text.replace("220202200812115075", "220202200812115076", 1).encode("gb18030")


def test_the_form_takes_the_three_formats(landing: Path, clients: dict[str, Client]) -> None:
    r = clients["school"].get("/upload/")
    page = r.content.decode()
    assert r.status_code == 200
    assert 'enctype="multipart/form-data"' in page and 'name="file"' in page and 'accept=".xlsx,.xls,.csv"' in page
    assert "csrfmiddlewaretoken" in page


def test_finance_cannot_upload(landing: Path, clients: dict[str, Client]) -> None:
    assert clients["finance"].get("/upload/").status_code == 403
    assert clients["finance"].post("/upload/", {"file": SimpleUploadedFile(AWARDS.name, AWARDS.read_bytes())}).status_code == 403
    assert files_under(landing) == []


def test_a_bad_file_shows_the_receipts_reasons_and_is_not_kept(landing: Path, clients: dict[str, Client], tmp_path: Path) -> None:
    status, page = post(clients["school"], "获奖名单v3.csv", broken_awards())
    assert status == 422
    assert "文件未通过检查，未保存" in page
    assert "技能大赛获奖情况（competition_awards）" in page
    assert "退回，未入库" in page
    # the reason exactly as the receipt words it, with the ID number masked, and its row and column
    assert (
        '<td>1</td><td>2</td><td>身份证号(id_number)</td><td class="reason">第2行 身份证号(id_number)：校验位（最后一位）与前17位不符，'
        "请核对 (check_digit)（填写的是「220202********5076」）</td>"
    ) in page
    assert "220202200812115076" not in page
    assert files_under(tmp_path) == []  # nothing written, in the landing folder or anywhere else
    [attempt] = UploadAttempt.objects.all()
    assert (attempt.username, attempt.uploader_code, attempt.accepted, attempt.stored_as) == ("changyi_zg", CHANGYI_SCHOOL, False, "")
    assert attempt.file_name == "获奖名单v3.csv" and attempt.size == len(broken_awards())
    assert (
        attempt.reasons
        == "文件：第2行 身份证号(id_number)：校验位（最后一位）与前17位不符，请核对 (check_digit)（填写的是「220202********5076」）"
    )


def test_a_good_file_is_accepted_and_lands_in_the_folder(landing: Path, clients: dict[str, Client]) -> None:
    data = AWARDS.read_bytes()
    status, page = post(clients["school"], "获奖名单 v2.csv", data)
    assert status == 200
    assert "文件已通过检查并已放入报送文件夹" in page
    assert '<td class="verdict ok">通过</td>' in page and '<td class="rows">9</td>' in page
    assert "系统每60秒检查一次报送文件夹" in page
    [stored] = files_under(landing)
    assert re.fullmatch(rf"portal/{CHANGYI_SCHOOL}/\d{{8}}-\d{{6}}_获奖名单_v2\.csv", stored)
    assert (landing / stored).read_bytes() == data
    [attempt] = UploadAttempt.objects.all()
    assert attempt.accepted and attempt.stored_as == stored and attempt.reasons == ""
    assert attempt.sha256 == hashlib.sha256(data).hexdigest()


def test_another_schools_file_is_refused_naming_its_code(landing: Path, clients: dict[str, Client]) -> None:
    status, page = post(clients["other_school"], AWARDS.name, AWARDS.read_bytes())
    assert status == 422
    assert "表中学校标识码 5122020113 不属于您的账号" in page
    assert files_under(landing) == []
    # the county of the school may send it
    status, _ = post(clients["county"], AWARDS.name, AWARDS.read_bytes())
    assert status == 200 and len(files_under(landing)) == 1


def test_an_oversized_file_is_refused_unread(landing: Path, clients: dict[str, Client], settings: object, tmp_path: Path) -> None:
    set_limits(settings, max_file_bytes=1000)
    data = AWARDS.read_bytes()
    status, page = post(clients["school"], AWARDS.name, data)
    assert status == 422
    assert f"文件大小{len(data)}字节，超出系统上限（1000字节），未读取。请拆分后重新报送 (file too large)" in page
    assert files_under(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("setup.exe", "不是可识别的报送文件格式，请使用xlsx、xls或csv文件报送 (unsupported file type)"),
        ("报表.xlsx", "Excel文件已损坏或不是xlsx格式，请重新导出 (corrupt or not an xlsx workbook: Cannot detect file format)"),
        ("报表.xls", "Excel文件已损坏或不是xls格式，请重新导出 (corrupt or not an xls workbook: Cannot detect file format)"),
        ("报表.csv", "不是文本格式的CSV文件，可能是其他格式的文件改了扩展名 (binary content, not a CSV text file)"),
    ],
)
def test_a_program_is_refused_whatever_its_name(landing: Path, clients: dict[str, Client], tmp_path: Path, name: str, reason: str) -> None:
    status, page = post(clients["school"], name, Path("/usr/bin/true").read_bytes())
    assert status == 422 and reason in page
    assert files_under(tmp_path) == []


def zip_bomb(padding: int) -> bytes:
    """The school's real training workbook with one more member: ``padding`` zero bytes, which
    deflate shrinks about a thousandfold."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(TRAINING.read_bytes())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/image1.bin", b"\0" * padding)
    return out.getvalue()


def test_a_zip_bomb_is_refused_unpacked(landing: Path, clients: dict[str, Client], settings: object, tmp_path: Path) -> None:
    # limits scaled down (a sheet's XML at most 1 MB, a workbook 4 MB unpacked) so the bomb stays small
    set_limits(settings, max_sheet_xml_bytes=1_000_000)
    bomb = zip_bomb(20_000_000)
    assert len(bomb) < 100_000
    status, page = post(clients["school"], "培训.xlsx", bomb)
    assert status == 422
    assert re.search(
        r"Excel文件解压后达\d+字节，超出系统上限，未读取。请删除多余内容或拆分后重新报送 \(workbook too large when unpacked\)", page
    )
    assert files_under(tmp_path) == []
    # the same workbook without the padding passes under the same limits
    status, _ = post(clients["school"], "培训.xlsx", TRAINING.read_bytes())
    assert status == 200


def test_a_name_climbing_out_of_the_folder_stays_in_it(landing: Path, clients: dict[str, Client], tmp_path: Path) -> None:
    status, _ = post(clients["school"], "../../x.csv", broken_awards())
    assert status == 422 and files_under(tmp_path) == []
    status, _ = post(clients["school"], "../../x.csv", AWARDS.read_bytes())
    assert status == 200
    [stored] = files_under(tmp_path)
    assert re.fullmatch(rf"raw/portal/{CHANGYI_SCHOOL}/\d{{8}}-\d{{6}}_x\.csv", stored)
    assert UploadAttempt.objects.filter(accepted=True).get().file_name == "x.csv"


def test_a_post_without_csrf_token_stores_nothing(landing: Path, users: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    c = client_for(users["school"], enforce_csrf_checks=True)
    r = c.post("/upload/", {"file": SimpleUploadedFile(AWARDS.name, AWARDS.read_bytes())})
    assert r.status_code == 403
    assert files_under(tmp_path) == [] and not UploadAttempt.objects.exists()


def test_the_upload_log_holds_no_id_number(landing: Path, clients: dict[str, Client]) -> None:
    """Every ID number of the file in the name and the content: refused and accepted, the log
    keeps each masked."""
    who = next(iter(sorted(AWARD_IDS)))
    post(clients["school"], f"{who}的获奖.csv", broken_awards())
    lines = AWARDS.read_text(encoding="gb18030").splitlines()
    lines[3] = lines[3].replace(",学生,", f",{sorted(AWARD_IDS)[1]},", 1)  # an ID typed into 人员类别
    post(clients["school"], "获奖.csv", "\r\n".join(lines).encode("gb18030"))
    post(clients["school"], AWARDS.name, AWARDS.read_bytes())
    attempts = list(UploadAttempt.objects.all())
    assert len(attempts) == 3
    stored = "\n".join(f"{a.file_name} {a.reasons} {a.stored_as}" for a in attempts)
    assert "220202********5076" in stored and "人员类别" in stored
    assert not [i for i in [*AWARD_IDS, "220202200812115076"] if i in stored]


def test_an_oversized_upload_is_measured_not_stored(
    landing: Path, clients: dict[str, Client], settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the limit no byte reaches Django's temp-file handler (which would spool the
    whole upload to disk): the size is counted and the file refused with its exact size."""
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    spooled: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self: TemporaryFileUploadHandler, raw_data: bytes, start: int) -> Any:
        spooled.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", spy)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temp file
    set_limits(settings, max_file_bytes=100_000)
    status, page = post(clients["school"], "大文件.csv", b"x," * 1_500_000)
    assert status == 422
    assert "文件大小3000000字节，超出系统上限（100000字节），未读取。请拆分后重新报送 (file too large)" in page
    assert sum(spooled) <= 100_000
    assert files_under(tmp_path) == []
    # under the limit the same handler gets the whole file
    spooled.clear()
    status, _ = post(clients["school"], AWARDS.name, AWARDS.read_bytes())
    assert status == 200 and sum(spooled) == len(AWARDS.read_bytes())
