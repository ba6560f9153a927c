"""Issue 21, item 8: clerks name a template by the Chinese name printed on it; the commands
take it as well as the key, and an unknown name is answered with both names of every template."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dagster_project.cli import main
from dagster_project.core.templates import TEMPLATES, template_key
from dagster_project.store.load import IngestReport
from tests.conftest import REGISTRY_HEADER, registry_rows, write_xlsx


def test_template_key_takes_the_key_or_the_chinese_name() -> None:
    assert template_key("在校生及学费收入") == "enrollment"
    assert template_key(" enrollment ") == "enrollment"
    assert template_key("教师招聘情况") == "teacher_recruitment"
    with pytest.raises(ValueError) as e:
        template_key("在校生")
    message = str(e.value)
    assert "未知报表 在校生" in message
    for t in TEMPLATES.values():  # every template, by both names
        assert f"{t.zh}（{t.key}）" in message


def _env(monkeypatch: pytest.MonkeyPatch, city: Callable[..., IngestReport]) -> None:
    settings = city.settings  # type: ignore[attr-defined]
    monkeypatch.setenv("VOCWH_RAW_DIR", str(settings.raw_dir))
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", str(settings.warehouse_dir))
    monkeypatch.setenv("VOCWH_PII_KEY", "test-key")


def test_review_and_approve_by_the_chinese_name(
    city: Callable[..., IngestReport], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(city.raw / "名录.xlsx", {"名录": [REGISTRY_HEADER, *registry_rows(2024)]})  # type: ignore[attr-defined]
    city()
    _env(monkeypatch, city)
    common = ["--submitter", "220200", "--year", "2024", "--by", "张三"]
    assert main(["review", "--template", "职业院校名录", *common]) == 0
    assert "已审核 (reviewed): school_registry 220200 2024" in capsys.readouterr().out
    assert main(["approve", "--template", "职业院校名录", *common]) == 0
    assert "已审批并锁定 (approved, locked): school_registry 220200 2024" in capsys.readouterr().out


def test_an_unknown_template_lists_both_names(
    city: Callable[..., IngestReport], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(city.raw / "名录.xlsx", {"名录": [REGISTRY_HEADER, *registry_rows(2024)]})  # type: ignore[attr-defined]
    city()
    _env(monkeypatch, city)
    assert main(["approve", "--template", "学费", "--submitter", "220200", "--year", "2024", "--by", "张三"]) == 2
    err = capsys.readouterr().err
    assert "未知报表 学费" in err and "在校生及学费收入（enrollment）" in err and "职业院校名录（school_registry）" in err
    assert main(["status", "--template", "学费"]) == 2


def test_status_names_templates_both_ways_and_filters_by_either(
    city: Callable[..., IngestReport], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_xlsx(city.raw / "名录.xlsx", {"名录": [REGISTRY_HEADER, *registry_rows(2024)]})  # type: ignore[attr-defined]
    # An enrolment with a school not in the registry: rejected, outstanding.
    write_xlsx(
        city.raw / "在校生.xlsx",  # type: ignore[attr-defined]
        {
            "在校生": [
                ["年度", "学校标识码", "专业大类代码", "专业大类名称", "在校生数", "其中：职教高考班学生数", "学费收入（元）"],
                [2024, "9999999999", "42", "", 10, 0, "100.00"],
            ]
        },
    )
    city()
    _env(monkeypatch, city)
    assert main(["status", "--template", "在校生及学费收入", "--all"]) == 0
    out = capsys.readouterr().out
    assert "在校生及学费收入（enrollment）" in out and "school_registry" not in out
    assert main(["status", "--template", "school_registry", "--all"]) == 0
    out = capsys.readouterr().out
    assert "职业院校名录（school_registry）" in out and "enrollment" not in out
