"""Screenshots of the screens people use, at a phone's 360 px and a laptop's 1366 px, in Chinese
and English, written to docs/screens/ (or the folder given), to look at before and after a change.

    .venv/bin/python scripts/screenshots.py [--out docs/screens] [--lang zh-CN en]

It starts the app on a throwaway SQLite database with the demo data, serves it on 127.0.0.1 at a
free port, and drives Chromium (the system one, as the browser tests do) through a day: a patrol
officer fills a renovation patrol with a failed item and a photo and a key audit; a supervisor
opens the record, the follow-ups and compliance. Needs the PWA built (pwa/dist).
"""

import argparse
import logging
import sys
import tempfile
import threading
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
        try:
            # The Chinese round fills the day (a submitted record); the others look at it.
            record_id = patrol_day(browser, url, out, "zh-CN", Path(folder))
            for lang in args.lang:
                if lang != "zh-CN":
                    patrol_day(browser, url, out, lang, Path(folder))
                supervisor_day(browser, url, out, lang, record_id)
        finally:
            server.shutdown()
        browser.close()


if __name__ == "__main__":
    main()
