"""The PWA is installable: Chromium's own check reports no installability error."""

from conftest import ARGS, CHROMIUM
from pwa_steps import wait_for_service_worker


def test_chromium_reports_no_installability_errors(playwright, live_server, tmp_path,
                                                   browser_type_launch_args):
    # An incognito context always reports `in-incognito`: use a real profile.
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True,
        viewport={"width": 360, "height": 740})
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(live_server.url + "/")
        wait_for_service_worker(page)
        page.reload()
        session = context.new_cdp_session(page)
        errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = session.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
    finally:
        context.close()
