"""The supervisor workspace is its own chunk: a patrol's phone never loads it, a supervisor's
loads it on demand, and once the service worker has precached it, it opens offline too."""

from playwright.sync_api import expect
from pwa_steps import PASSWORD, answer, log_in, start_renovation_patrol, wait_for_service_worker

PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "has_touch": True}


def scripts_of(page):
    loaded = []
    page.on("request", lambda request: request.resource_type == "script" and loaded.append(
        request.url.rsplit("/", 1)[-1]))
    return loaded


def log_in_supervisor(page, base_url):
    page.goto(base_url + "/")
    page.get_by_label("用户名").fill("supervisor1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("nav-records")).to_be_visible()


def test_a_patrol_never_loads_the_workspace_and_a_supervisor_loads_it_on_demand(browser, live_server):
    patrol_context = browser.new_context(**PHONE)
    patrol = patrol_context.new_page()
    patrol_scripts = scripts_of(patrol)
    log_in(patrol, live_server.url)
    start_renovation_patrol(patrol)
    answer(patrol, "surface_protection", "合格")
    patrol.goto(live_server.url + "/#/records")  # not the patrol's: home instead
    expect(patrol.get_by_test_id("due-list")).to_be_visible()
    patrol_context.close()

    context = browser.new_context(**PHONE)
    page = context.new_page()
    supervisor_scripts = scripts_of(page)
    log_in_supervisor(page, live_server.url)
    page.get_by_test_id("nav-records").click()
    expect(page.get_by_test_id("records-list")).to_be_visible()
    context.close()

    workspace = set(supervisor_scripts) - set(patrol_scripts)
    assert workspace, "the supervisor's screens came in the first load"
    assert not workspace & set(patrol_scripts)
    assert set(patrol_scripts) <= set(supervisor_scripts)


def test_the_workspace_opens_offline_once_the_service_worker_has_it(browser, live_server):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in_supervisor(page, live_server.url)
    wait_for_service_worker(page)
    context.set_offline(True)
    scripts = []
    page.on("response", lambda response: response.request.resource_type == "script" and scripts.append(
        (response.url.rsplit("/", 1)[-1], response.from_service_worker)))
    page.reload()  # a cold start with no network: everything from the worker's precache
    page.get_by_test_id("nav-compliance").click()
    expect(page.get_by_test_id("compliance")).to_be_visible()
    page.get_by_test_id("nav-records").click()
    expect(page.get_by_test_id("records")).to_be_visible()
    expect(page.get_by_text("此页面需要联网加载，请联网后重试。")).to_have_count(0)
    context.close()
    assert len({name for name, _ in scripts}) >= 2, scripts  # the app and its workspace chunk
    assert all(from_worker for _, from_worker in scripts), scripts
