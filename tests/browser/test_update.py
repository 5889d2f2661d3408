"""A new version never replaces the app under a half-filled form: the user decides when."""

import shutil

from conftest import DIST
from playwright.sync_api import expect
from pwa_steps import answer, log_in, start_renovation_patrol, wait_for_service_worker


def test_new_version_waits_for_the_user_and_the_draft_survives_the_switch(page, live_server, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(DIST, dist)
    live_server.app.config["PWA_DIST_DIR"] = str(dist)
    try:
        log_in(page, live_server.url)
        # (Not the "ready offline" notice: it goes by itself after 8 s, which a busy machine can
        # spend between the worker's install and this line.)
        wait_for_service_worker(page)
        page.reload()  # the next time the app opens, the worker controls it
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        start_renovation_patrol(page)
        answer(page, "surface_protection", "合格")
        answer(page, "debris", "不合格")
        page.evaluate("window.__sameDocument = true")

        # A new build is deployed: its worker's bytes differ, so the browser installs it.
        (dist / "sw.js").write_text((dist / "sw.js").read_text() + "\n// next build\n")
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        banner = page.get_by_text("有新版本可用")
        expect(banner).to_be_visible()
        page.wait_for_timeout(1000)
        assert page.evaluate("window.__sameDocument === true"), "the page was replaced under the form"
        expect(page.locator("[data-item='debris'] .choice-fail.chosen")).to_be_visible()

        # The user accepts: the new worker takes over and the page reloads, the draft intact.
        page.get_by_role("button", name="更新").click()
        page.wait_for_function("() => window.__sameDocument === undefined")
        expect(page.get_by_test_id("form")).to_be_visible()
        expect(page.locator("[data-item='debris'] .choice-fail.chosen")).to_be_visible()
        expect(page.locator("[data-item='surface_protection'] .choice-pass.chosen")).to_be_visible()
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    finally:
        live_server.app.config.pop("PWA_DIST_DIR", None)
