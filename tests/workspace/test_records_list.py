"""The supervisor's records list: filters, search, spreadsheet export, and who sees what."""

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from server.checklists.operations import load_checklists
from server.core.db import db
from server.properties.models import Renovation
from tests.test_checklists import REPO_CHECKLISTS

CST = timezone(timedelta(hours=8))


@pytest.fixture
def records(app_ctx, make_property, make_user, make_unit, insert_inspection, auth_headers):
    load_checklists(REPO_CHECKLISTS)
    a, b = make_property(code="estate-a"), make_property(code="estate-b")
    unit = make_unit(a, building="3", entrance="2", room="1102")
    renovation = Renovation(property_id=a.id, unit=unit, contractor_name="某装饰",
                            permit_start=datetime(2026, 10, 1).date(),
                            permit_end=datetime(2027, 1, 1).date(), status="active")
    db.session.add(renovation)
    db.session.commit()
    li = make_user("patrol", properties=[a], display_name="李巡查")
    wang = make_user("patrol", properties=[a], display_name="王晓燕")
    b_patrol = make_user("patrol", properties=[b])
    made = {
        "nov1": insert_inspection(a, "renovation_patrol", "renovation", renovation.id,
                                  datetime(2026, 11, 1, 0, 30, tzinfo=CST), li, has_failures=True,
                                  answers={"debris": {"value": "fail", "comment": "楼道堆放垃圾"}}),
        "nov2": insert_inspection(a, "home_visit", "unit", unit.id,
                                  datetime(2026, 11, 2, 10, tzinfo=CST), wang, status="approved"),
        "oct31": insert_inspection(a, "night_check", "property", a.id,
                                   datetime(2026, 10, 31, 23, 30, tzinfo=CST), li),
        "b": insert_inspection(b, "night_check", "property", b.id,
                               datetime(2026, 11, 2, 22, tzinfo=CST), b_patrol),
    }
    supervisor_a = make_user("supervisor", properties=[a])
    return {"a": a, "b": b, "unit": unit, "li": li, "made": made,
            "headers": auth_headers(supervisor_a), "patrol_headers": auth_headers(li),
            "manager_headers": auth_headers(make_user("manager"))}


def ids(client, headers, query=""):
    response = client.get(f"/api/inspections?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_filters_select_the_right_records(client, records):
    made, headers = records["made"], records["headers"]
    as_id = {name: str(r.id) for name, r in made.items()}
    assert ids(client, headers) == [as_id["nov2"], as_id["nov1"], as_id["oct31"]]  # newest first
    assert ids(client, headers, f"property_id={records['a'].id}&date_from=2026-11-01") == [
        as_id["nov2"], as_id["nov1"]]  # 00:30 on 1 Nov in the property's zone counts as November
    assert ids(client, headers, "date_to=2026-10-31") == [as_id["oct31"]]
    assert ids(client, headers, "has_failures=true") == [as_id["nov1"]]
    assert ids(client, headers, "status=approved") == [as_id["nov2"]]
    assert ids(client, headers, "checklist=night_check") == [as_id["oct31"]]
    assert ids(client, headers, f"unit_id={records['unit'].id}") == [as_id["nov2"], as_id["nov1"]]
    assert ids(client, headers, f"inspector_id={records['li'].id}") == [as_id["nov1"], as_id["oct31"]]
    assert ids(client, headers, "q=堆放垃圾") == [as_id["nov1"]]
    assert ids(client, headers, "q=王晓燕") == [as_id["nov2"]]
    page = client.get("/api/inspections?per_page=2&page=2", headers=headers).get_json()
    assert page["total"] == 3 and len(page["items"]) == 1


def test_list_items_say_what_was_inspected(client, records):
    items = client.get("/api/inspections", headers=records["headers"]).get_json()["items"]
    by_code = {item["checklist"]["code"]: item for item in items}
    assert by_code["renovation_patrol"]["subject"]["label"] == "3栋2单元1102"
    assert by_code["night_check"]["subject"]["label"] == records["a"].name
    assert by_code["home_visit"]["checklist"]["title"] == {"zh-CN": "入户走访", "en": "Home visit"}


def test_patrol_staff_see_only_their_own_records(client, records):
    assert len(ids(client, records["patrol_headers"])) == 2
    assert len(ids(client, records["manager_headers"])) == 4


def test_export_csv_and_xlsx_hold_the_same_selection(client, records):
    csv_response = client.get("/api/inspections/export?format=csv&has_failures=true",
                              headers=records["headers"])
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["记录编号", "项目", "检查表"]
    assert [row[0] for row in rows[1:]] == [str(records["made"]["nov1"].id)]
    assert rows[1][2] == "装修巡查" and rows[1][4] == "3栋2单元1102"
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["迟报"] == "否"  # received right after completion
    xlsx = client.get("/api/inspections/export", headers=records["headers"])
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.values)
    assert values[0][0] == "记录编号" and len(values) == 4


def test_another_propertys_records_cannot_be_listed_or_exported(client, records):
    b = records["b"].id
    assert client.get(f"/api/inspections?property_id={b}",
                      headers=records["headers"]).status_code == 403
    assert client.get(f"/api/inspections/export?property_id={b}",
                      headers=records["headers"]).status_code == 403
    record_b = records["made"]["b"].id
    for path in (f"/api/inspections/{record_b}", f"/api/inspections/{record_b}/history"):
        assert client.get(path, headers=records["headers"]).status_code == 404


def test_xlsx_has_a_sheet_per_checklist_with_a_column_per_item_and_real_local_times(client, records):
    xlsx = client.get("/api/inspections/export?format=xlsx", headers=records["headers"])
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["巡查记录", "入户走访", "装修巡查", "夜间检查"]
    everything = list(book["巡查记录"].values)
    assert len(everything) == 4 and "装修垃圾是否按规定堆放" not in everything[0]
    header, *rows = book["装修巡查"].values
    row = dict(zip(header, rows[0], strict=True))
    assert row["装修垃圾是否按规定堆放"] == "不合格"
    assert row["装修垃圾是否按规定堆放·不合格"] == "是"
    assert row["装修垃圾是否按规定堆放·备注"] == "楼道堆放垃圾"
    assert row["状态"] == "待审核"  # the reader's words, not "submitted"
    # 00:30 on 1 November in Shanghai, as a date cell on the property's clock, zone beside it.
    completed = row["完成时间（手机，项目当地时间）"]
    assert completed == datetime(2026, 11, 1, 0, 30) and row["时区"] == "UTC+08:00"
    cell = next(c for c in book["装修巡查"][2] if c.value == completed)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm:ss"
    assert isinstance(row["接收时间（服务器，项目当地时间）"], datetime)


def test_exports_speak_the_readers_language(client, records):
    english = {**records["headers"], "Accept-Language": "en"}
    book = load_workbook(io.BytesIO(client.get("/api/inspections/export?format=xlsx",
                                               headers=english).data))
    assert book.sheetnames[1:] == ["Home visit", "Renovation patrol", "Night check"]
    header, *rows = book["Renovation patrol"].values
    row = dict(zip(header, rows[0], strict=True))
    assert row["Renovation debris is stored as required"] == "Fail"
    assert row["Renovation debris is stored as required · failed"] == "Yes"
    assert "awaiting review" in row["Status"]


def test_csv_has_item_columns_for_one_checklist_and_the_common_ones_for_several(client, records):
    def read(query):
        response = client.get(f"/api/inspections/export?format=csv&{query}", headers=records["headers"])
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))

    several = read("")
    assert len(several) == 4 and "装修垃圾是否按规定堆放" not in several[0]
    one = read("checklist=renovation_patrol")
    row = dict(zip(one[0], one[1], strict=True))
    assert row["装修垃圾是否按规定堆放·备注"] == "楼道堆放垃圾"
    assert row["完成时间（手机，项目当地时间）"] == "2026-11-01 00:30:00"  # local, not UTC text
    assert row["时区"] == "UTC+08:00"
