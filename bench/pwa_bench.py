"""Field PWA benchmark: prints what a phone pays for the app, against the issue's targets.

    .venv/bin/python bench/pwa_bench.py [--skip-lighthouse] [--json out.json] [--against OTHER_DIST]

Measures, on a throw-away server (SQLite in a temporary folder, demo data) on 127.0.0.1:
- JS + CSS bytes a patrol user's page loads from opening the app to the due list after logging in
  (gzip, as the server sends them), and apart from them the workspace chunk(s) a supervisor's
  page loads on top; checks that the patrol's page loads none of the workspace code (the chunks
  the build only reaches through import()). The service worker still precaches every built file
  in the background, the workspace chunk included, so a supervisor's workspace opens offline;
- Lighthouse mobile scores (performance, accessibility, best practices) for the first page, and,
  logged in (a prepared profile, storage kept), for the due list and a form;
- offline cold start → interactive due list, and opening a 60-item checklist, both with
  DevTools CPU throttling ×4, in a browser restarted on the same profile with no network;
- bytes uploaded per photo against the camera file's size;
- with --against, another build (e.g. an older commit's pwa/dist) on its own server: its
  first-load bytes, and both builds' offline timings in alternating rounds, so a change is
  compared under the same machine load.
Needs what scripts/test installs (built PWA, Chromium, Playwright) and, for Lighthouse,
`npm install` in bench/ (done here when missing). Not a test: numbers vary by machine.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from pwa_steps import (  # noqa: E402
    PASSWORD,
    add_photo,
    fill_renovation_items,
    log_in,
    make_photo,
    sign,
    start_renovation_patrol,
    wait_for_service_worker,
)
from werkzeug.serving import make_server  # noqa: E402

from server import create_app  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN"}
DIST = ROOT / "pwa" / "dist"
TARGETS = {"first_load_js_css_gzip_bytes": ("<=", 150 * 1024),
           "patrol_first_load_without_workspace_code": ("==", True), "lighthouse_performance": (">=", 95),
           "lighthouse_accessibility": (">=", 100), "lighthouse_best_practices": (">=", 100),
           **{f"lighthouse_{page}_{category}": (">=", target) for page in ("due_list", "form")
              for category, target in (("performance", 95), ("accessibility", 100), ("best_practices", 100))},
           "offline_cold_start_due_list_ms": ("<=", 1000), "open_60_item_checklist_ms": ("<=", 300)}
RUNS = 5


def sixty_item_checklist() -> dict:
    kinds = ["pass_fail", "yes_no", "number", "text", "single_choice", "pass_fail"]
    items = []
    for n in range(60):
        kind = kinds[n % len(kinds)]
        item = {"id": f"item_{n:02d}", "type": kind,
                "label": {"zh-CN": f"检查项 {n + 1}：设施状况是否良好",
                          "en": f"Check {n + 1}: facility in order"}}
        if kind == "number":
            item.update({"min": 0, "max": 100, "unit": {"zh-CN": "个", "en": "pcs"}})
        if kind == "single_choice":
            item["options"] = [{"value": v, "label": {"zh-CN": z, "en": e}}
                               for v, z, e in [("good", "良好", "Good"), ("fair", "一般", "Fair"),
                                               ("poor", "差", "Poor")]]
        if kind == "text":
            item["required"] = False
        items.append(item)
    return {"code": "bench_sixty", "version": 1, "title": {"zh-CN": "六十项检查", "en": "Sixty checks"},
            "subject": "property",
            "frequency": [{"id": "monthly", "label": {"zh-CN": "每月一次", "en": "Monthly"},
                           "scope": "property", "period": "month", "min_count": 1}],
            "sections": [{"id": f"s{s}", "title": {"zh-CN": f"第 {s + 1} 部分", "en": f"Part {s + 1}"},
                          "items": items[s * 15:(s + 1) * 15]} for s in range(4)]}


def start_server(folder: Path, dist: Path = DIST):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "BLOB_DIR": str(folder / "blobs"), "LOGIN_MAX_FAILURES_PER_ADDRESS": 1000,
                      "PWA_DIST_DIR": str(dist)})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        from server.checklists.operations import publish_definition
        from server.core.db import db
        publish_definition(sixty_item_checklist(), "bench")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def built_chunks(dist: Path = DIST) -> tuple[set[str], set[str]]:
    """The built scripts of a first load (the entry and what it imports statically) and those
    reached only through import() (the workspace), read from the build."""
    index = (dist / "index.html").read_text()
    entry = re.search(r'<script type="module"[^>]* src="/assets/([^"]+)"', index)[1]

    def text(name):
        return (dist / "assets" / name).read_text()

    def closure(names):
        seen, todo = set(), list(names)
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo += re.findall(r'(?:\bfrom|\bimport)\s*["\'`]\./([\w.-]+\.js)["\'`]', text(name))
        return seen

    first = closure([entry])
    dynamic = {name for script in first
               for name in re.findall(r'\bimport\(\s*["\'`]\./([\w.-]+\.js)["\'`]\s*\)', text(script))}
    return first, closure(dynamic) - first


def recorded_load(context):
    """Record what the pages of `context` fetch: {url: (resource type, bytes on the wire)}."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    requests, sizes = {}, {}
    cdp.on("Network.responseReceived",
           lambda e: requests.__setitem__(e["requestId"], (e["response"]["url"], e["type"])))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))

    def fetched(kinds=("Script", "Stylesheet")):
        return {url: (kind, sizes.get(request_id, 0)) for request_id, (url, kind) in requests.items()
                if kind in kinds}
    return page, fetched


def asset(fetched_url: str) -> str:
    return fetched_url.rsplit("/", 1)[-1]


def first_load_bytes(browser, url, dist: Path = DIST) -> dict:
    first_chunks, workspace_chunks = built_chunks(dist)

    context = browser.new_context(**PHONE)
    page, fetched = recorded_load(context)
    log_in(page, url)  # the login page, then the due list
    page.wait_for_load_state("networkidle")
    patrol = fetched()
    context.close()
    js = sum(size for kind, size in patrol.values() if kind == "Script")
    css = sum(size for kind, size in patrol.values() if kind == "Stylesheet")
    patrol_scripts = {asset(u) for u, (kind, _) in patrol.items() if kind == "Script"}

    # A supervisor then opens the records: the scripts fetched beyond the patrol's are the
    # workspace. No service worker here: its precache would fill the HTTP cache first, and the
    # page's own fetch of the chunk would then cost nothing on the wire.
    context = browser.new_context(**PHONE, service_workers="block")
    page, fetched = recorded_load(context)
    page.goto(url + "/")
    page.get_by_label("用户名").fill("supervisor1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_test_id("nav-records").click()
    expect(page.get_by_test_id("records-list")).to_be_visible()
    page.wait_for_load_state("networkidle")
    extra = {asset(u): size for u, (kind, size) in fetched().items()
             if kind == "Script" and asset(u) not in patrol_scripts}
    context.close()

    return {"first_load_js_gzip_bytes": js, "first_load_css_gzip_bytes": css,
            "first_load_js_css_gzip_bytes": js + css,
            "first_load_scripts": sorted(patrol_scripts),
            "workspace_js_gzip_bytes": sum(extra.values()),
            "workspace_scripts": sorted(extra),
            "workspace_chunks_in_build": sorted(workspace_chunks),
            "patrol_first_load_without_workspace_code": bool(workspace_chunks)
            and not (patrol_scripts & workspace_chunks) and set(extra) == workspace_chunks
            and patrol_scripts == first_chunks}


def signed_in_profile(playwright, url, profile: Path) -> str:
    """A Chromium profile where patrol1 is logged in with a draft open: Lighthouse reuses it to
    audit the screens patrol staff spend their day on, not only the login page. Returns the
    draft's id."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=ARGS, headless=True, **PHONE)
    page = context.new_page()
    log_in(page, url)
    wait_for_service_worker(page)
    record_id = start_renovation_patrol(page)
    context.close()
    return record_id


def lighthouse(url, pages=(("", "/", None),), reports: Path | None = None) -> dict:
    """Lighthouse mobile scores per page: (name, path, Chromium profile or None for a fresh one).
    Keys are lighthouse_<category> for the first page, lighthouse_<name>_<category> for others.
    ``reports``: keep each page's full Lighthouse JSON there (lh-<name>.json), to see what
    the LCP element was and what delayed it."""
    bench = ROOT / "bench"
    binary = bench / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=bench,
                       check=True)
    scores = {}
    for name, path, profile in pages:
        flags = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                 "--disable-component-update")
        extra = []
        if profile:  # keep the profile's login and drafts: no storage reset
            flags += f" --user-data-dir={profile}"
            extra.append("--disable-storage-reset")
        with tempfile.TemporaryDirectory() as out:
            report = Path(out) / "lh.json"
            subprocess.run([str(binary), url + path, "--quiet", "--output=json", f"--output-path={report}",
                            "--only-categories=performance,accessibility,best-practices",
                            f"--chrome-flags={flags}", *extra],
                           check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, cwd=bench)
            data = json.loads(report.read_text())
            if reports:
                reports.mkdir(parents=True, exist_ok=True)
                shutil.copy(report, reports / f"lh-{name or 'login'}.json")
        prefix = f"lighthouse_{name}_" if name else "lighthouse_"
        scores.update({f"{prefix}{key.replace('-', '_')}": round(cat["score"] * 100)
                       for key, cat in data["categories"].items()})
        scores[f"{prefix}failing_binary_audits"] = [
            audit_id for audit_id, audit in data["audits"].items()
            if audit.get("score") is not None and audit["score"] < 1
            and audit.get("scoreDisplayMode") in ("binary",)]
        scores[f"{prefix}fcp_ms"] = round(data["audits"]["first-contentful-paint"]["numericValue"])
        scores[f"{prefix}lcp_ms"] = round(data["audits"]["largest-contentful-paint"]["numericValue"])
    return scores


def mark(page, name, timeout=15000):
    # A function, not an expression: the app's Content-Security-Policy forbids eval.
    page.wait_for_function(f"() => performance.getEntriesByName('{name}').length > 0", timeout=timeout)
    return page.evaluate(f"performance.getEntriesByName('{name}').at(-1).startTime")


def offline_timings(playwright, url, profile: Path) -> dict:
    launch = {"executable_path": CHROMIUM, "args": ARGS, "headless": True, **PHONE}
    context = playwright.chromium.launch_persistent_context(str(profile), **launch)
    page = context.pages[0]
    log_in(page, url)
    wait_for_service_worker(page)
    context.close()

    cold, opens = [], []
    for _ in range(RUNS):
        # A cold start: a new browser process on the same profile, no network at all.
        context = playwright.chromium.launch_persistent_context(str(profile), **launch)
        context.set_offline(True)
        page = context.pages[0]
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        response = page.goto(url + "/")
        assert response.from_service_worker, "not served by the service worker"
        cold.append(mark(page, "xuncha:due-ready"))
        expect(page.get_by_test_id("due-list").locator("li").first).to_be_visible()
        # Open the 60-item checklist: from the tap on "start" to the form on screen.
        page.get_by_test_id("new-inspection").click()
        page.get_by_test_id("checklist-select").select_option("bench_sixty")
        start = page.get_by_role("button", name="开始")
        started = page.evaluate("() => performance.now()")
        start.click()
        opened = mark(page, "xuncha:form-ready")
        assert page.locator("[data-item]").count() == 60
        opens.append(opened - started)
        context.close()
    return {"offline_cold_start_due_list_ms": round(statistics.median(cold)),
            "offline_cold_start_due_list_ms_runs": [round(v) for v in cold],
            "open_60_item_checklist_ms": round(statistics.median(opens)),
            "open_60_item_checklist_ms_runs": [round(v) for v in opens]}


def photo_upload_bytes(browser, url, folder: Path) -> dict:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sent: dict[str, int] = {}

    def count(request):
        if request.method == "PUT" and "/api/blobs/" in request.url and "kind=photo" in request.url:
            sha = request.url.split("/api/blobs/")[1].split("?")[0]
            start, end = request.headers["content-range"].split()[1].split("/")[0].split("-")
            sent[sha] = sent.get(sha, 0) + int(end) - int(start) + 1
    context.on("request", count)
    log_in(page, url)
    start_renovation_patrol(page)
    fill_renovation_items(page)
    camera = [make_photo(folder / "camera-12mp.jpg", 4000, 3000, seed=11),
              make_photo(folder / "camera-8mp.jpg", 3264, 2448, seed=12)]
    add_photo(page, "surface_protection", camera[0])
    add_photo(page, "site_photos", camera[1])
    sign(page, "inspector_signature")
    sign(page, "contractor_signature", name="测试")
    # What the phone stored for each photo: its hash, size and the camera file's size.
    stored = page.evaluate(READ_PHOTOS)
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=30000)
    context.close()
    return {"photos": [{"original_bytes": row["original_size"], "stored_bytes": row["size"],
                        "uploaded_bytes": sent.get(row["sha256"], 0),
                        "uploaded_share_of_original": round(sent.get(row["sha256"], 0)
                                                            / row["original_size"], 3)}
                       for row in stored]}


READ_PHOTOS = """async () => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open('xuncha'); r.onsuccess = () => ok(r.result); });
  const rows = await new Promise((ok) => { const r = db.transaction('blobs').objectStore('blobs').getAll();
    r.onsuccess = () => ok(r.result); });
  return rows.filter((b) => b.kind === 'photo')
    .map((b) => ({ sha256: b.sha256, size: b.size, original_size: b.original_size }));
}"""


def verdict(results):
    lines = []
    for key, (op, target) in TARGETS.items():
        value = results.get(key)
        if value is None:
            lines.append(f"  {key:40} not measured")
            continue
        ok = {"<=": value <= target, ">=": value >= target, "==": value == target}[op]
        lines.append(f"  {key:40} {value!s:>10}   target {op} {target!s:<8} {'OK' if ok else 'MISSED'}")
    return "\n".join(lines)


def compare(playwright, url, folder: Path, other: Path, rounds=3) -> dict:
    """Another build next to this one: first-load bytes, and offline timings in alternating
    rounds (this build, the other, this build, ...), medians over all runs."""
    (folder / "other").mkdir()
    other_server, other_url = start_server(folder / "other", other)
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        loaded = first_load_bytes(browser, other_url, other)
        browser.close()
        runs = {"this_build": ([], []), "other_build": ([], [])}
        for n in range(rounds):
            for name, address in (("this_build", url), ("other_build", other_url)):
                timings = offline_timings(playwright, address, folder / f"{name}-profile-{n}")
                runs[name][0].extend(timings["offline_cold_start_due_list_ms_runs"])
                runs[name][1].extend(timings["open_60_item_checklist_ms_runs"])
    finally:
        other_server.shutdown()
    return {"dist": str(other), **{key: loaded[key] for key in (
        "first_load_js_gzip_bytes", "first_load_css_gzip_bytes", "first_load_js_css_gzip_bytes")},
        **{name: {"runs": len(cold), "offline_cold_start_due_list_ms": round(statistics.median(cold)),
                  "open_60_item_checklist_ms": round(statistics.median(opens))}
           for name, (cold, opens) in runs.items()}}


def main():
    import logging
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--reports", type=Path, help="keep the full Lighthouse reports here")
    parser.add_argument("--against", type=Path, metavar="OTHER_DIST",
                        help="also measure this other build (a pwa/dist folder) alternately with this one")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xuncha-bench-"))
    server, url = start_server(folder)
    results = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            results.update(first_load_bytes(browser, url))
            results.update(photo_upload_bytes(browser, url, folder))
            browser.close()
            results.update(offline_timings(playwright, url, folder / "profile"))
            if options.against:
                results["against"] = compare(playwright, url, folder, options.against.resolve())
        if not options.skip_lighthouse:
            with sync_playwright() as playwright:
                profile = folder / "lighthouse-profile"
                draft = signed_in_profile(playwright, url, profile)
            results.update(lighthouse(url, (("", "/", None), ("due_list", "/#/", profile),
                                            ("form", f"/#/form/{draft}", profile)), options.reports))
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print("\nagainst the targets:\n" + verdict(results))
    if options.json:
        options.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
