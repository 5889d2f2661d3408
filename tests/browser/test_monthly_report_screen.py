"""The monthly report screen: a supervisor opens last month's report of their property, sees the
figures the month holds (built here, counted by hand), the charts drawn, no codes, the month
named in the screen's language, and downloads the spreadsheet and the PDF; a manager picks two
properties and gets their totals."""

import re
import subprocess
import sys
import uuid
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pwa_steps import PASSWORD

LAPTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "has_touch": True}
ZONE = ZoneInfo("Asia/Shanghai")
VERIFY = Path(__file__).resolve().parents[2] / "scripts" / "verify_seal.py"


def last_month():
    from server.core.db import today_in
    first = today_in().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def build_month(live_server, code):
    """A property of its own (the live server is shared) with one supervisor, ten occupied
    households and, last month: two home visits (one household twice), one night check with a
    drill. Returns (property id, supervisor username)."""
    from server.checklists.operations import latest_versions
    from server.core.db import db
    from server.inspections.models import Inspection
    from server.properties.models import Property, Unit
    from server.users.models import User
    from server.users.operations import hash_password, set_memberships
    with live_server.app.app_context():
        prop = Property(code=code, name=f"月报花园{code[-1]}", name_en=f"Report Garden {code[-1]}",
                        timezone="Asia/Shanghai")
        db.session.add(prop)
        db.session.flush()
        units = [Unit(property_id=prop.id, building="8", entrance="1", room=f"{100 + n}",
                      owner_name="业主") for n in range(10)]
        db.session.add_all(units)
        boss = User(username=f"{code}-boss", display_name="月报主管", role="supervisor",
                    password_hash=hash_password(PASSWORD))
        db.session.add(boss)
        db.session.flush()
        set_memberships(boss, {prop.id: False})
        versions = {v.code: v for v in latest_versions()}
        first = last_month()

        def record(code_, subject_type, subject_id, day, hour, answers):
            moment = datetime.combine(first + timedelta(days=day), time(hour), ZONE)
            db.session.add(Inspection(
                id=uuid.uuid4(), property_id=prop.id, checklist_version_id=versions[code_].id,
                checklist_code=code_, subject_type=subject_type, subject_id=subject_id,
                inspector_id=boss.id, status="submitted", revision=1, answers=answers,
                started_at_device=moment.isoformat(), completed_at_device=moment.isoformat(),
                completed_at=moment, seal_hash="0" * 64))

        visit = {"visit_outcome": {"value": "visited"}, "visit_standard_followed": {"value": "pass"},
                 "rectification_needed": {"value": "no"}, "satisfaction": {"value": "satisfied"}}
        record("home_visit", "unit", units[0].id, 2, 10, visit)
        record("home_visit", "unit", units[0].id, 5, 10, visit)  # the same household again
        record("night_check", "property", prop.id, 8, 22,
               {"drill_held": {"value": "yes"}, "drill_scenario": {"value": "fire"}})
        db.session.commit()
        result = prop.id, boss.username
        db.session.remove()
        return result


@pytest.fixture
def own_month(live_server):
    """build_month for this test only: its properties, people and records are removed after it,
    because the live server is shared and other tests count every property a manager sees."""
    made = []

    def build(code):
        property_id, username = build_month(live_server, code)
        made.append(property_id)
        return property_id, username
    yield build
    from server.core.db import db
    from server.inspections.models import Inspection
    from server.properties.models import Property, Unit
    from server.users.models import ApiToken, PropertyMember, User
    with live_server.app.app_context():
        users = list(db.session.scalars(sa.select(PropertyMember.user_id).where(
            PropertyMember.property_id.in_(made))))
        users = list(db.session.scalars(sa.select(User.id).where(
            User.id.in_(users), User.role == "supervisor", User.username.like("report-%"))))
        for statement in (sa.delete(Inspection).where(Inspection.property_id.in_(made)),
                          sa.delete(PropertyMember).where(PropertyMember.property_id.in_(made)),
                          sa.delete(ApiToken).where(ApiToken.user_id.in_(users)),
                          sa.delete(Unit).where(Unit.property_id.in_(made)),
                          sa.delete(User).where(User.id.in_(users)),
                          sa.delete(Property).where(Property.id.in_(made))):
            db.session.execute(statement)
        db.session.commit()
        db.session.remove()


def open_report(browser, live_server, username, options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_test_id("nav-monthly-report").click()
    expect(page.get_by_test_id("report-property").first).to_be_visible()
    return context, page


def test_a_supervisor_reads_and_downloads_last_months_report(browser, live_server, own_month):
    property_id, username = own_month("report-a")
    first = last_month()
    context, page = open_report(browser, live_server, username, LAPTOP)
    expect(page.get_by_test_id("report-month")).to_have_value(first.strftime("%Y-%m"))
    selected = page.get_by_test_id("report-month").locator("option:checked")
    expect(selected).to_have_text(f"{first.year}年{first.month}月")
    section = page.locator(f"[data-testid='report-property'][data-property-id='{property_id}']")
    expect(page.get_by_test_id("report-property")).to_have_count(1)  # only their property
    # 10 households × 8% → 1; one household visited (twice: the second is a repeat).
    expect(section.get_by_test_id("tile-visits").locator(".tile-value")).to_have_text("1 / 1")
    expect(section.get_by_test_id("report-households-visited")).to_have_text("1")
    expect(section.get_by_test_id("tile-sat-visits").locator(".tile-value")).to_have_text("100%")
    expect(section.get_by_test_id("tile-drills").locator(".tile-value")).to_have_text("1 / 1")
    # The night check was at 22:00 but is the only one: one of two.
    expect(section.get_by_test_id("tile-night").locator(".tile-value")).to_have_text("1 / 2")
    expect(section.get_by_test_id("report-drills")).to_contain_text("着火")
    expect(section.get_by_test_id("report-drills-note")).to_contain_text("夜间检查")
    row = section.locator("[data-testid='report-rules'] tr[data-rule='monthly_share']")
    expect(row.get_by_test_id("report-rule-done")).to_have_text("1")
    expect(row).to_contain_text("月报主管 1")
    # Both charts drawn by Chart.js, each with its text alternative.
    for chart in ("report-rules-chart", "report-satisfaction-chart"):
        canvas = section.get_by_test_id(chart)
        expect(canvas).to_have_attribute("data-ready", "true")
        assert canvas.get_attribute("aria-label")
    expect(section.get_by_test_id("report-rules-chart")).to_have_attribute(
        "aria-label", re.compile("走访比例8%.*100%"))
    text = page.get_by_test_id("monthly-report").inner_text()
    for code in ("home_visit", "monthly_share", "night_check", "missed", "on_track", "hash",
                 "performer", "follow_up"):
        assert code not in text, code

    with page.expect_download() as download:
        page.get_by_test_id("report-xlsx").click()
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    assert download.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    path = Path(download.value.path())
    assert path.read_bytes().startswith(b"%PDF")
    # The code on screen is the one the PDF carries, and the PDF's figures verify against it.
    checked = subprocess.run([sys.executable, str(VERIFY), str(path)], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stdout
    shown = page.get_by_test_id("report-code").inner_text()
    assert len(shown) == 16 and f"stated code:     {shown}" in checked.stdout
    context.close()


def test_english_month_names_and_a_phone_width(browser, live_server, own_month):
    _property_id, username = own_month("report-b")
    first = last_month()
    context, page = open_report(browser, live_server, username, PHONE)
    page.goto(live_server.url + "/#/")
    page.get_by_role("button", name="English").click()
    page.goto(live_server.url + "/#/monthly-report")
    selected = page.get_by_test_id("report-month").locator("option:checked")
    expect(selected).to_have_text(first.strftime("%B %Y"))
    expect(page.get_by_test_id("report-property").first).to_contain_text("Report Garden")
    expect(page.get_by_test_id("report-drills").first).to_contain_text("Fire")
    # Nothing wider than the phone but the tables, which scroll inside their own box.
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= 360, overflow
    context.close()


def test_a_manager_adds_up_two_properties(browser, live_server, own_month):
    first_id, _ = own_month("report-c")
    second_id, _ = own_month("report-d")
    context, page = open_report(browser, live_server, "manager1", LAPTOP)
    boxes = page.get_by_test_id("report-properties")
    boxes.get_by_label("月报花园c").check()
    boxes.get_by_label("月报花园d").check()
    expect(page.get_by_test_id("report-property")).to_have_count(2)
    totals = page.get_by_test_id("report-totals")
    expect(totals).to_contain_text("合计（2 个项目）")
    # 1 + 1 households required and visited; 1 + 1 drills.
    expect(totals.get_by_test_id("tile-visits").locator(".tile-value")).to_have_text("2 / 2")
    expect(totals.get_by_test_id("tile-drills").locator(".tile-value")).to_have_text("2 / 2")
    ids = page.get_by_test_id("report-property").evaluate_all(
        "(nodes) => nodes.map((n) => Number(n.dataset.propertyId))")
    assert sorted(ids) == sorted([first_id, second_id])
    context.close()


def test_patrol_staff_have_no_monthly_report(browser, live_server):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill("patrol1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("new-inspection")).to_be_visible()
    expect(page.get_by_test_id("nav-monthly-report")).to_have_count(0)
    page.goto(live_server.url + "/#/monthly-report")
    expect(page.get_by_test_id("new-inspection")).to_be_visible()  # home, not the report
    expect(page.get_by_test_id("monthly-report")).to_have_count(0)
    context.close()
