"""A newer version of the app upgrading the phone's database is never held up by a tab still
running the old one: that tab lets go at once and asks the user to reload."""

from playwright.sync_api import expect
from pwa_steps import log_in

# What a newer build's first start does: open the same database at the next schema version.
# The browser may report "blocked" for a moment (the old tab's close is on its way) before the
# upgrade goes through; what matters is that it goes through.
OPEN_NEXT_VERSION = """() => {
  window.__upgrade = 'waiting';
  const probe = indexedDB.open('xuncha');
  probe.onsuccess = () => {
    const version = probe.result.version + 1;
    probe.result.close();
    const request = indexedDB.open('xuncha', version);
    request.onsuccess = () => { request.result.close(); window.__upgrade = 'upgraded'; };
    request.onerror = () => { window.__upgrade = String(request.error); };
  };
}"""


def test_an_upgrade_in_another_tab_is_not_blocked_and_this_tab_asks_for_a_reload(context, page, live_server):
    log_in(page, live_server.url)
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()  # the app has its database open
    other_tab = context.new_page()
    other_tab.goto(live_server.url + "/manifest.webmanifest")  # same origin, without the app
    other_tab.evaluate(OPEN_NEXT_VERSION)
    other_tab.wait_for_function("() => window.__upgrade !== 'waiting'")
    assert other_tab.evaluate("window.__upgrade") == "upgraded"
    expect(page.get_by_text("巡查已在另一个标签页更新，请重新加载本页。")).to_be_visible()
    page.get_by_role("button", name="重新加载").click()
    expect(page.get_by_text("巡查已在另一个标签页更新，请重新加载本页。")).to_have_count(0)
