"""Issue 8 through the real pipeline and the real dbt build: genuine IDs with older area codes
load, and one event written with Kangxi radicals, full-width letters or odd spaces is one
event for the highest-award-only rule (policy-rules.md §1.4). Amounts are computed by hand
from the seed's standard (二(七)): national third 12000, provincial second 8000."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb

from dagster_project.publish.payout import payout_list
from dagster_project.store.warehouse import ensure_schema
from dagster_project.transform.build import build_args
from dagster_project.transform.dbt_project import APPROVED, LATEST
from tests.conftest import approve_everything, hmac_key, query, registry_rows, run_dbt, write_xlsx
from tests.test_ingest import AWARD_HEADER, GOOD_USCC, PARTNER_HEADER, award, gb11643, reasons_of

KANGXI_ROBOT = "\u2f2f业机器\u2f08技术应\u2f64"  # ⼯业机器⼈技术应⽤, as copied from a PDF
ROBOT = "工业机器人技术应用"

OLDER_CODE_IDS = {
    "蛟河 1977": gb11643("22028119770315123"),  # 220281 in use since 1989
    "舒兰 1985": gb11643("22028319850601002"),  # 220283 since 1992
    "磐石 1990": gb11643("22028419900101003"),  # 220284 since 1995
    "check X, lower case": gb11643("22020219900307006").lower(),  # ends in x
}


def _registered(city) -> None:  # type: ignore[no-untyped-def]
    write_xlsx(city.raw / "名录.xlsx", {"名录": registry_rows(2024)})


def test_genuine_ids_with_older_area_codes_load(city) -> None:  # type: ignore[no-untyped-def]
    assert OLDER_CODE_IDS["check X, lower case"].endswith("x")
    _registered(city)
    rows = [award(姓名=f"教师{i}", 身份证号=n, 人员类别="指导教师") for i, n in enumerate(OLDER_CODE_IDS.values())]
    write_xlsx(city.raw / "获奖.xlsx", {"获奖": [AWARD_HEADER, *rows]})
    city()
    assert reasons_of(city.settings, "获奖.xlsx") == []
    assert query(city.settings, "SELECT status, rows FROM audit.submissions WHERE source_file = '获奖.xlsx'") == [("loaded", 4)]
    keys = {r[0] for r in query(city.settings, "SELECT person_key FROM history.competition_awards")}
    # the lower-case x is the same person as the upper-case X
    assert hmac_key(OLDER_CODE_IDS["check X, lower case"], "test-key") in keys


def test_one_event_however_written_counts_once_through_dbt(city, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _registered(city)
    person = gb11643("22028119770315123")
    awards = [
        award(身份证号=person, 赛项名称=KANGXI_ROBOT, 大赛级别="国家级", 获奖等级="三等奖", 申报奖励金额="12000", 已发放金额=0),
        award(
            身份证号=person,
            赛项名称="工业机器人\u3000技术\u00a0应用 ",
            大赛名称="吉林省职业院校技能大赛",
            大赛级别="省级",
            获奖等级="二等奖",
            获奖日期=dt.date(2024, 5, 10),
            申报奖励金额="8000",
            已发放金额=0,
        ),
    ]
    contracts = [
        [2024, "4122020001", "吉林化纤集团", GOOD_USCC, "技术服务", "智力", "HT-2024-01", "2024-01-01", "2024-12-31", "100,000", "是", 0],
        [
            2024,
            "4122020001",
            "吉林化纤集团",
            GOOD_USCC,
            "技术服务",
            "智力",
            "ＨＴ－２０２４－０１ ",
            "2024-01-01",
            "2024-12-31",
            "50,000",
            "是",
            0,
        ],
    ]
    write_xlsx(city.raw / "获奖.xlsx", {"获奖": [AWARD_HEADER, *awards]})
    write_xlsx(city.raw / "合作.xlsx", {"合作": [PARTNER_HEADER, *contracts]})
    city()
    assert reasons_of(city.settings, "获奖.xlsx") == [] and reasons_of(city.settings, "合作.xlsx") == []
    stored = query(city.settings, "SELECT event_name, event_key FROM history.competition_awards ORDER BY row_number")
    assert stored == [(KANGXI_ROBOT, ROBOT), ("工业机器人\u3000技术\u00a0应用", ROBOT)]

    approve_everything(city.settings)  # the payout list is on the approved figures (issue 10)
    # the latest build of what these files feed (and the seeds), then the approved build of the payout list
    for figures, select in ((LATEST, "resource_type:seed +award_entitlements +partnership_income"), (APPROVED, "+award_payout")):
        proc = run_dbt([*build_args(figures, select), "--indirect-selection", "cautious"], city.settings.warehouse_dir, tmp_path / figures)
        assert proc.returncode == 0, proc.stdout[-3000:]
    con = duckdb.connect(str(city.settings.warehouse_path), read_only=True)
    try:
        ents = con.execute(
            "SELECT event_key, competition_level, prize, entitled_yuan, claimed_yuan, awards, suppressed_awards FROM marts.award_entitlements"
        ).fetchall()
        contracts_counted = con.execute("SELECT contracts, income_yuan FROM marts.partnership_income").fetchall()
        payout = payout_list(con, 2024)
    finally:
        con.close()
    # one person-event: the national third (12000) counts, the provincial second is suppressed
    assert ents == [(ROBOT, "national", "third", Decimal("12000.00"), Decimal("20000.00"), 2, 1)]
    assert contracts_counted == [(1, Decimal("150000.00"))]
    assert [(r["person_name"], r["event_name"], r["to_pay_yuan"]) for r in payout] == [("张三", KANGXI_ROBOT, Decimal("12000.00"))]


def test_a_warehouse_from_before_the_keys_gets_them_filled(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    try:
        ensure_schema(con)
        con.execute("ALTER TABLE history.competition_awards DROP COLUMN event_key")
        con.execute("ALTER TABLE history.partnership_income DROP COLUMN contract_key")
        con.execute("INSERT INTO history.competition_awards (event_name, row_number) VALUES (?, 3), (?, 4)", [KANGXI_ROBOT, "Ｗｅｂ 技术"])
        con.execute("INSERT INTO history.partnership_income (contract_no, row_number) VALUES ('ＨＴ－１', 3)")
        ensure_schema(con)
        assert con.execute("SELECT event_key FROM history.competition_awards ORDER BY row_number").fetchall() == [(ROBOT,), ("web技术",)]
        assert con.execute("SELECT contract_key FROM history.partnership_income").fetchall() == [("ht-1",)]
        assert con.execute("SELECT event_key FROM submissions.competition_awards").fetchall() == []  # the view has the column
    finally:
        con.close()
