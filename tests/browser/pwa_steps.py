"""What a patrol officer does in the PWA, as reusable steps for the browser tests."""

import hashlib
import random
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

PASSWORD = "xuncha-demo"


def make_photo(path: Path, width=3000, height=2000, seed=1) -> Path:
    """A camera-sized JPEG with enough detail that it does not compress to nothing."""
    rng = random.Random(seed)
    small = Image.new("RGB", (width // 25, height // 25))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(small.width * small.height)])
    small.resize((width, height), Image.Resampling.BICUBIC).save(path, "JPEG", quality=92)
    return path


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def log_in(page: Page, base_url: str, username="patrol1"):
    page.goto(base_url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # The first sync fills the due list from the pull.
    expect(page.get_by_test_id("due-list").locator("li").first).to_be_visible(timeout=15000)
    expect(page.get_by_test_id("last-sync")).not_to_have_text("从未同步")


def wait_for_service_worker(page: Page):
    """The worker has installed and precached the app shell.

    Predicates are written as functions: an expression would be run with eval on each poll,
    which the app's Content-Security-Policy forbids."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null || "
                           "navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))")


def open_due(page: Page, text: str):
    """Tap the first due entry not yet done whose text contains ``text``."""
    entry = page.get_by_test_id("due-list").locator("li[data-done='false']", has_text=text).first
    entry.get_by_role("button").first.click()


def start_renovation_patrol(page: Page):
    open_due(page, "在施装修")
    expect(page.get_by_test_id("form")).to_be_visible()
    return page.get_by_test_id("form").get_attribute("data-record-id")


def answer(page: Page, item_id: str, label: str):
    page.locator(f"[data-item='{item_id}']").get_by_label(label, exact=True).check()


def fill_renovation_items(page: Page, failed_item="surface_protection"):
    answer(page, "site_status", "正在施工")
    for item_id in ["surface_protection", "debris", "working_hours", "walls", "waterproofing",
                    "guard_rails", "terrace_balcony", "installations"]:
        answer(page, item_id, "不合格" if item_id == failed_item else "合格")
    item = page.locator(f"[data-item='{failed_item}']")
    item.get_by_label("备注").fill("客厅地面未覆盖")


def add_photo(page: Page, item_id: str, photo: Path, camera=False):
    """Through the gallery input, or the camera one (`capture="environment"`)."""
    page.get_by_test_id(f"photo-{'camera' if camera else 'input'}-{item_id}").set_input_files(str(photo))
    expect(page.get_by_test_id(f"photos-{item_id}").get_by_test_id("photo-size").first).to_be_visible(
        timeout=15000)


def sign(page: Page, item_id: str, name: str | None = None):
    block = page.get_by_test_id(f"signature-{item_id}")
    if name is not None:
        block.get_by_test_id(f"signer-name-{item_id}").fill(name)
    block.get_by_test_id(f"sign-{item_id}").click()
    pad = block.get_by_test_id("pad")
    expect(pad).to_be_in_viewport(ratio=1)
    box = pad.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 120)
    page.mouse.down()
    for step in range(1, 20):
        page.mouse.move(x + 30 + step * 12, y + 120 - (step % 5) * 15, steps=2)
    page.mouse.up()
    block.get_by_test_id("pad-accept").click()
    expect(block.locator("img")).to_be_visible()
