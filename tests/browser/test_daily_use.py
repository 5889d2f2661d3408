"""The field app as patrol staff use it every day: tasks named as people think of them, a key
audit in a few taps, units typed the usual ways, a clear "done" after submitting, the status bar
honest about the link, and a signature pad nothing can cover."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect
from pwa_steps import add_photo, answer, log_in, make_photo, open_due, sign


def a_unit(live_server, username="patrol1"):
    from server.core.db import db
    from server.properties.models import Unit
    from server.users.models import User
    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(username=username))
        units = db.session.scalars(sa.select(Unit).where(
            Unit.property_id == user.memberships[0].property_id).order_by(Unit.id)).all()
        # A room number that more than one building has, so "building-room" has to narrow it.
        unit = next(u for u in units if sum(v.room == u.room for v in units) > 1 and u.entrance)
        found = unit.id, unit.building, unit.entrance, unit.room, unit.label
        db.session.remove()
        return found


def test_due_tasks_are_named_by_what_and_where_and_grouped_by_period(page, live_server):
    log_in(page, live_server.url)
    groups = page.get_by_test_id("due-list").locator("section.due-group")
    periods = [groups.nth(i).get_attribute("data-period") for i in range(groups.count())]
    assert periods[0] == "day" and periods == sorted(periods, key=["day", "week", "month"].index)
    expect(groups.first.locator("h3")).to_contain_text("今天")
    expect(groups.first.get_by_test_id("due-progress")).to_have_text(re.compile(r"已完成 \d+/\d+ 项"))
    names = page.get_by_test_id("due-name").all_inner_texts()
    # "装修巡查 · 4栋1单元102": the checklist and the unit, never the rule's wording or an id.
    assert any(re.fullmatch(r"装修巡查 · \d+栋\d+单元\d+", name) for name in names), names
    assert not any("每天" in name or "每月" in name for name in names), names
    month = page.locator("section.due-group[data-period='month']")
    expect(month.locator("h3")).to_contain_text("本月")
    visits = month.get_by_test_id("due-name").filter(has_text="入户走访")
    expect(visits.first).to_have_text("入户走访 · 滨河湾河西")


def test_a_key_audit_takes_a_few_taps_and_names_the_key_at_its_row(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url, username="patrol2")  # the key keeper at 广场家园
    open_due(page, "钥匙核对")
    for item_id in ["keeper_assigned", "keeper_knows_procedure", "keys_tagged_tidy", "missing_keys_approved",
                    "responsibility_followed_up", "records_updated", "borrowing_procedures_complete",
                    "owner_signature_on_collection"]:
        answer(page, item_id, "合格")
    rows = page.locator("li[data-row]")
    total = rows.count()
    assert total > 3

    # Submitting with rows left: each is marked at its own row, named by its tag.
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("row-error")).to_have_count(total)
    first_tag = rows.first.locator(".row-label strong").inner_text()
    expect(rows.first.get_by_test_id("row-error")).to_have_text(f"{first_tag} 未核对")
    expect(page.locator("[data-item='key_rows'] .problems")).to_contain_text(f"还有 {total} 把钥匙未核对")

    # One exception, then "all present" for the rest in one tap.
    missing = rows.nth(2)
    missing_tag = missing.locator(".row-label strong").inner_text()
    missing.get_by_label("缺失", exact=True).check()
    page.get_by_test_id("rows-all-usual").click()
    expect(page.get_by_test_id("rows-all-usual")).to_have_count(0)
    expect(page.locator("li[data-row] .choice.chosen", has_text="在位")).to_have_count(total - 1)
    expect(missing.locator(".choice.chosen")).to_have_text("缺失")

    # The missing key needs its photo: said at that row, with its tag.
    expect(missing.get_by_test_id("row-error")).to_have_text(f"{missing_tag} 至少需要 1 张照片")
    expect(page.get_by_test_id("row-error")).to_have_count(1)
    add_photo(page, f"key_rows-{missing.get_attribute('data-row')}",
              make_photo(tmp_path / "cabinet.jpg", 1200, 900, seed=11))
    expect(page.get_by_test_id("row-error")).to_have_count(0)
    # The keeper signs as the person logged in.
    expect(page.get_by_test_id("signer-name-keeper_signature")).to_have_value("王晓燕")
    context.close()


def test_a_unit_is_found_the_way_people_type_it(page, live_server):
    unit_id, building, entrance, room, label = a_unit(live_server)
    log_in(page, live_server.url)
    page.get_by_test_id("new-inspection").click()
    page.get_by_test_id("checklist-select").select_option("home_visit")
    search = page.get_by_test_id("subject-search")
    results = page.get_by_test_id("subject-list").get_by_role("button")
    for typed in [f"{building}-{entrance}-{room}", f"{building}栋{entrance}单元{room}",
                  f"{building} {entrance} {room}"]:
        search.fill(typed)
        expect(results).to_have_count(1)
        expect(results.first).to_contain_text(label)
    search.fill(f"{building}栋{room}")
    expect(results.filter(has_text=label)).to_have_count(1)
    narrowed = results.count()
    search.fill(room)
    expect(results.filter(has_text=label)).to_have_count(1)
    assert results.count() > narrowed  # the room alone: every building's


def test_after_submitting_the_home_screen_opens_at_the_top_and_says_it_is_done(page, live_server, tmp_path):
    log_in(page, live_server.url)
    open_due(page, "在施装修")
    answer(page, "site_status", "正在施工")
    for item_id in ["surface_protection", "debris", "working_hours", "walls", "waterproofing",
                    "guard_rails", "terrace_balcony", "installations"]:
        answer(page, item_id, "合格")
    add_photo(page, "site_photos", make_photo(tmp_path / "site.jpg", 1200, 900, seed=12))
    sign(page, "inspector_signature")
    sign(page, "contractor_signature", name="王师傅")
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("done-notice")).to_have_text("已签字提交，将自动上传。")
    expect(page.get_by_test_id("due-list")).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    expect(page.get_by_test_id("done-notice")).to_have_count(0)  # and it goes by itself


def test_the_status_bar_says_offline_as_soon_as_the_link_drops(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url)
    expect(page.get_by_test_id("net-state")).to_have_text("已联网")
    # Shown from the browser's own signal, not after a request has failed and a retry is planned.
    context.set_offline(True)
    expect(page.get_by_test_id("net-state")).to_have_text("无网络")
    expect(page.get_by_test_id("syncbar")).not_to_contain_text("秒后重试")
    context.close()


def test_the_signature_pad_is_not_covered_by_anything(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="zh-CN", has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url)
    open_due(page, "在施装修")
    page.get_by_test_id("sign-contractor_signature").click()
    accept = page.get_by_test_id("pad-accept")
    expect(accept).to_be_in_viewport(ratio=1)
    # What a finger lands on at the centre of "confirm" is "confirm" itself (not the sticky
    # submit button or a notice).
    assert accept.evaluate("""(button) => {
        const box = button.getBoundingClientRect();
        return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === button;
    }""")
    box = page.get_by_test_id("pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for step in range(1, 15):
        page.mouse.move(box["x"] + 30 + step * 15, box["y"] + 100 - (step % 4) * 12, steps=2)
    page.mouse.up()
    accept.tap()
    expect(page.get_by_test_id("signature-contractor_signature").locator("img")).to_be_visible()
    context.close()


def test_household_visits_suggest_the_households_not_yet_visited_key_customers_first(page, live_server):
    from server.core.db import db
    from server.properties.models import Unit
    token = live_server.token("patrol1")
    pulled = live_server.api("/api/sync/pull", token=token)
    home = pulled["me"]["properties"][0]["property_id"]
    share = next(d for d in pulled["due"] if d["checklist_code"] == "home_visit"
                 and d["property_id"] == home and d["subject"]["id"] is None)
    first = share["candidate_unit_ids"][:3]
    with live_server.app.app_context():
        units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(first)))}
        expected = [(units[i].label, units[i].is_key_customer) for i in first]
        db.session.remove()
    assert any(key for _, key in expected), "the demo has key customers not yet visited"

    log_in(page, live_server.url)
    page.get_by_test_id("new-inspection").click()
    page.get_by_test_id("checklist-select").select_option("home_visit")
    results = page.get_by_test_id("subject-list").locator("li")
    for index, (label, key) in enumerate(expected):
        row = results.nth(index)
        expect(row).to_contain_text(label)
        expect(row.get_by_test_id("unit-suggested")).to_have_text("未走访")
        expect(row.get_by_test_id("unit-key-customer")).to_have_count(1 if key else 0)


def test_a_night_check_says_the_hours_it_counts_in(page, live_server):
    log_in(page, live_server.url, username="supervisor1")
    night = page.get_by_test_id("due-entry").filter(has_text="夜间检查").first
    expect(night.get_by_test_id("due-window")).to_have_text("限 20:00–06:00 完成")
    renovation = page.get_by_test_id("due-entry").filter(has_text="装修台账").first
    expect(renovation.get_by_test_id("due-window")).to_have_count(0)
