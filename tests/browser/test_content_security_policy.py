"""The PWA runs whole under the server's Content-Security-Policy: logging in, the patrol's
due list, the supervisor's workspace screens and the compliance bars (a width set at run time)
raise no policy violation, and the policy is the one the server sends."""

from playwright.sync_api import expect
from pwa_steps import log_in
from test_supervisor import LAPTOP, supervisor_page

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (event) => window.__violations.push(event.violatedDirective + ' ' + event.blockedURI));
"""


def test_the_patrol_screens_raise_no_policy_violation(browser, base_url):
    context = browser.new_context(**LAPTOP)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    response = page.goto(base_url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    log_in(page, base_url)
    assert page.evaluate("window.__violations") == []
    context.close()


def test_the_workspace_screens_raise_no_policy_violation(browser, base_url):
    context, page = supervisor_page(browser, base_url)
    context.add_init_script(RECORD_VIOLATIONS)
    page.reload()
    for name in ("records", "followups", "compliance"):
        page.get_by_test_id(f"nav-{name}").click()
        if name == "compliance":
            expect(page.get_by_test_id("compliance-property").first).to_be_visible(timeout=15000)
    assert page.evaluate("window.__violations") == []
    context.close()
