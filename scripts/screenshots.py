"""Screenshots of the screens people use, at a phone's 360 px and a laptop's 1366 px, in Chinese
and English, written to docs/screens/ (or the folder given), to look at before and after a change.

    .venv/bin/python scripts/screenshots.py [--out docs/screens] [--lang zh-CN en]

It starts the app on a throwaway SQLite database with the demo data, serves it on 127.0.0.1 at a
free port, and drives Chromium (the system one, as the browser tests do) through a day: a patrol
officer fills a renovation patrol with a failed item and a photo and a key audit; a supervisor
opens the record, the follow-ups and compliance, and last month's report (月报) over a month of
records written straight into the database, then assesses the patrol officer's last month, which
the officer reads and acknowledges on the phone. Needs the PWA built (pwa/dist).
"""

import argparse
import logging
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "browser")]

from PIL import Image  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402
from pwa_steps import PASSWORD, add_photo, fill_renovation_items, make_photo, sign  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from server import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SIZES = {"360": {"width": 360, "height": 740}, "1366": {"width": 1366, "height": 800}}
KEY_AUDIT_ITEMS = ["keeper_assigned", "keeper_knows_procedure", "keys_tagged_tidy", "missing_keys_approved",
                   "responsibility_followed_up", "records_updated", "borrowing_procedures_complete",
                   "owner_signature_on_collection"]


def start_server(folder: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'xuncha.sqlite3'}",
                      "BLOB_DIR": str(folder / "blobs"), "DEMO_PASSWORD": PASSWORD})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def phone_or_laptop(browser, size, lang):
    context = browser.new_context(viewport=SIZES[size], locale=lang, has_touch=size == "360",
                                  device_scale_factor=1)
    context.add_init_script(f"localStorage.setItem('xuncha.lang', '{lang}')")
    return context, context.new_page()


def log_in(page, url, username):
    page.goto(url + "/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    # A function, not an expression: the app's Content-Security-Policy forbids eval.
    page.wait_for_function("() => { const el = document.querySelector('[data-testid=last-sync]');"
                           " return el && !/从未|Never/.test(el.textContent); }")


def shoot(page, out: Path, name: str, size: str, lang: str):
    path = out / f"{name}-{size}-{lang}.png"
    # The screen as it settles: nothing still loading, no passing notice ("ready offline") over it.
    page.wait_for_function("() => !/加载中|Loading/.test(document.body.innerText)", timeout=30000)
    page.evaluate("() => document.querySelectorAll('.notices .notice').forEach((n) => n.remove())")
    # Long forms skip drawing the sections off screen (content-visibility): a full-page picture
    # would show them empty, so draw them all for it.
    page.evaluate("() => document.querySelectorAll('.form .card')"
                  ".forEach((c) => { c.style.contentVisibility = 'visible'; })")
    page.screenshot(path=str(path), full_page=True)
    # 256 colours are plenty for a screen of text and keep the committed files small.
    with Image.open(path) as image:
        image.convert("RGB").quantize(256).save(path, optimize=True)
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def patrol_day(browser, url, out, lang, tmp):
    """The phone: home, a renovation patrol, the key audit. In Chinese the patrol is filled in and
    submitted (a failed item with a photo: a follow-up for the supervisor); returns its id."""
    context, page = phone_or_laptop(browser, "360", lang)
    log_in(page, url, "patrol1")
    shoot(page, out, "home", "360", lang)
    page.get_by_test_id("due-list").locator("li[data-done='false']").filter(
        has=page.get_by_test_id("due-name").filter(has_text="装修巡查" if lang == "zh-CN" else "Renovation")
    ).first.get_by_role("button").first.click()
    record_id = page.get_by_test_id("form").get_attribute("data-record-id")
    if lang == "zh-CN":
        fill_renovation_items(page, failed_item="surface_protection")
        add_photo(page, "surface_protection", make_photo(tmp / "evidence.jpg", 1600, 1200, seed=1))
        add_photo(page, "site_photos", make_photo(tmp / "site.jpg", 1600, 1200, seed=2))
        sign(page, "inspector_signature")
        # The contractor had left: a reason instead of a signature, which the supervisor reads.
        page.get_by_test_id("absent-contractor_signature").click()
        page.get_by_test_id("absent-reason-contractor_signature").fill("施工负责人已离场，电话告知整改要求")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, out, "form", "360", lang)
    if lang == "zh-CN":
        page.get_by_test_id("seal").click()
        expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=30000)
    else:
        page.get_by_role("link", name="Back").click()

    page.get_by_test_id("due-list").locator("li").filter(
        has=page.get_by_test_id("due-name").filter(has_text="钥匙核对" if lang == "zh-CN" else "Key audit")
    ).first.get_by_role("button").first.click()
    for item_id in KEY_AUDIT_ITEMS:
        page.locator(f"[data-item='{item_id}'] .choice-pass input").check()
    page.locator("li[data-row]").nth(1).locator("input[value=missing]").check()
    page.get_by_test_id("rows-all-usual").click()
    page.get_by_test_id("seal").click()  # no photo of the missing key, unsigned: the problems show
    shoot(page, out, "key-audit", "360", lang)
    context.close()
    return record_id


def supervisor_day(browser, url, out, lang, record_id):
    for size in ("1366", "360"):
        context, page = phone_or_laptop(browser, size, lang)
        log_in(page, url, "supervisor1")
        page.goto(f"{url}/#/record/{record_id}")
        expect(page.get_by_test_id("record-view")).to_be_visible()
        shoot(page, out, "record", size, lang)
        page.get_by_test_id("nav-followups").click()
        page.wait_for_load_state("networkidle")
        shoot(page, out, "follow-ups", size, lang)
        page.get_by_test_id("nav-compliance").click()
        page.wait_for_load_state("networkidle")
        shoot(page, out, "compliance", size, lang)
        context.close()


def last_month() -> str:
    from server.core.db import today_in
    first = today_in().replace(day=1)
    return f"{(first.replace(day=1) - timedelta(days=1)):%Y-%m}"


def assessment_month(browser, url, out, lang, fill: bool):
    """The supervisor's monthly staff assessment of 李巡查 (last month) at 1366 and 360 px, and
    the officer's phone. With ``fill`` (the first round) it is scored, given to the officer and
    acknowledged, so the next round sees it sealed."""
    month = last_month()
    for size in ("1366", "360"):
        context, page = phone_or_laptop(browser, size, lang)
        log_in(page, url, "supervisor1")
        page.goto(f"{url}/#/assessments?month={month}")
        expect(page.get_by_test_id("as-row").first).to_be_visible()
        shoot(page, out, "assessments", size, lang)
        page.get_by_test_id("as-row").filter(has_text="李巡查").get_by_test_id("as-open").click()
        expect(page.get_by_test_id("as-staff")).to_be_visible()
        if fill and size == "1366":
            for item in page.locator(".as-item").all():
                box = item.locator("input[type=number]")
                box.fill(box.get_attribute("max"))
            for reason in page.locator("textarea[data-testid^=as-reason-]").all():
                reason.fill("已当面沟通，情况属实" if lang == "zh-CN" else "Talked it through in person")
            page.get_by_test_id("as-reward").fill("2")
            page.get_by_test_id("as-reward-reason").fill(
                "业主来信表扬" if lang == "zh-CN" else "Owner's letter of thanks")
        shoot(page, out, "assessment-form", size, lang)
        if fill and size == "1366":
            page.get_by_test_id("as-submit").click()
            expect(page.get_by_test_id("as-status")).to_have_attribute("data-status", "submitted")
        context.close()
    context, page = phone_or_laptop(browser, "360", lang)
    log_in(page, url, "patrol1")
    page.goto(f"{url}/#/my-assessments")
    page.get_by_test_id("as-mine-row").first.click()
    expect(page.get_by_test_id("as-sheet")).to_be_visible()
    shoot(page, out, "my-assessment", "360", lang)
    if fill:
        page.get_by_test_id("as-remark-input").fill("同意" if lang == "zh-CN" else "Agreed")
        page.get_by_test_id("as-acknowledge").click()
        expect(page.get_by_test_id("as-code")).to_be_visible()
    context.close()


def fill_last_month(app):
    """Last month at supervisor1's first property, as a monthly report would find it: home visits
    (a repeat, a nobody-home), night checks with a drill, renovation patrols, work orders."""
    import uuid
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    import sqlalchemy as sa

    from server.checklists.operations import latest_versions
    from server.core.db import db, today_in
    from server.followups.models import FollowUp, FollowUpEvent
    from server.inspections.models import Inspection
    from server.properties.models import Renovation, Unit
    from server.users.models import User
    zone = ZoneInfo("Asia/Shanghai")
    first = (today_in().replace(day=1) - timedelta(days=1)).replace(day=1)
    with app.app_context():
        boss = db.session.scalar(sa.select(User).filter_by(username="supervisor1"))
        patrol = db.session.scalar(sa.select(User).filter_by(username="patrol1"))
        prop_id = boss.memberships[0].property_id
        units = db.session.scalars(sa.select(Unit).filter_by(property_id=prop_id, is_occupied=True)
                                   .order_by(Unit.is_key_customer.desc(), Unit.id)).all()
        renovations = db.session.scalars(sa.select(Renovation).filter_by(property_id=prop_id)).all()
        versions = {v.code: v for v in latest_versions()}

        def at(day, hour, minute=0):
            return datetime.combine(first + timedelta(days=day), time(hour, minute), zone)

        def record(code, subject_type, subject_id, moment, who, answers):
            db.session.add(Inspection(
                id=uuid.uuid4(), property_id=prop_id, checklist_version_id=versions[code].id,
                checklist_code=code, subject_type=subject_type, subject_id=subject_id,
                inspector_id=who.id, status="approved", revision=1, answers=answers,
                started_at_device=moment.isoformat(), completed_at_device=moment.isoformat(),
                completed_at=moment, seal_hash="0" * 64))

        moods = ["satisfied"] * 5 + ["basically_satisfied"] * 2 + ["dissatisfied"]
        for n in range(18):
            who = boss if n < 2 else patrol
            answers = {"visit_outcome": {"value": "visited"}, "visit_standard_followed": {"value": "pass"},
                       "rectification_needed": {"value": "yes" if n % 6 == 5 else "no"},
                       "satisfaction": {"value": moods[n % len(moods)]}}
            record("home_visit", "unit", units[n].id, at(n + 1, 10), who, answers)
        record("home_visit", "unit", units[4].id, at(22, 15), patrol,
               {"visit_outcome": {"value": "visited"}, "satisfaction": {"value": "satisfied"}})
        record("home_visit", "unit", units[30].id, at(23, 15), patrol,
               {"visit_outcome": {"value": "not_home"}})
        night = {item: {"value": "pass"} for item in (
            "post_duties_known", "emergency_procedure_known", "unfinished_items_handed_over",
            "duty_log_complete", "handover_items_complete")}
        record("night_check", "property", prop_id, at(6, 22), boss,
               {**night, "drill_held": {"value": "yes"}, "drill_scenario": {"value": "lift_entrapment"}})
        record("night_check", "property", prop_id, at(19, 23, 30), boss,
               {**night, "duty_log_complete": {"value": "fail"}, "drill_held": {"value": "no"}})
        for day in range(0, 26, 2):
            for renovation in renovations[:4]:
                record("renovation_patrol", "renovation", renovation.id, at(day, 9), patrol,
                       {"site_status": {"value": "working"}})
        for n, (source, found, due, closed) in enumerate([
                ("complaint", 3, 6, 5), ("repair", 8, 11, 13), ("repair", 15, 18, None),
                ("complaint", 20, 23, 22)]):
            order = FollowUp(id=uuid.uuid4(), property_id=prop_id, description="漏水" if n % 2 else "噪音",
                             source=source, found_at=at(found, 9), callback_required=True,
                             assignee_id=patrol.id, due_date=first + timedelta(days=due),
                             status="verified" if closed else "open", created_by_id=boss.id,
                             closed_at=at(closed, 17) if closed else None)
            if closed:
                order.events = [FollowUpEvent(id=uuid.uuid4(), action="callback", actor_id=boss.id,
                                              created_at=at(closed, 16), satisfaction="satisfied")]
            db.session.add(order)
        db.session.commit()
        db.session.remove()


def monthly_report(browser, url, out, lang):
    for size in ("1366", "360"):
        context, page = phone_or_laptop(browser, size, lang)
        log_in(page, url, "supervisor1")
        page.get_by_test_id("nav-monthly-report").click()
        expect(page.get_by_test_id("report-property").first).to_be_visible()
        page.wait_for_function("() => [...document.querySelectorAll('canvas')].every((c) => c.dataset.ready)")
        shoot(page, out, "monthly-report", size, lang)
        context.close()


def main():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screens"))
    parser.add_argument("--lang", nargs="+", default=["zh-CN", "en"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        server, url = start_server(Path(folder))
        fill_last_month(server.app)
        try:
            # The Chinese round fills the day (a submitted record); the others look at it.
            record_id = patrol_day(browser, url, out, "zh-CN", Path(folder))
            for lang in args.lang:
                if lang != "zh-CN":
                    patrol_day(browser, url, out, lang, Path(folder))
                supervisor_day(browser, url, out, lang, record_id)
                monthly_report(browser, url, out, lang)
                assessment_month(browser, url, out, lang, fill=lang == args.lang[0])
        finally:
            server.shutdown()
        browser.close()


if __name__ == "__main__":
    main()
