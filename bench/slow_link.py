"""A shift's work synced over a slow mobile link, and what a cut connection costs.

    .venv/bin/python bench/slow_link.py                       # both profiles, 30 records, cut
    .venv/bin/python bench/slow_link.py --against OLD_DIST    # another PWA build, same run
    .venv/bin/python bench/slow_link.py --records 5 --profiles 3g --cuts ""  # a quick look

The real PWA (the built `pwa/dist`) in Chromium, served by gunicorn (2 workers × 4 threads,
SQLite, demo data) behind a byte-counting HTTP/1.1 proxy on 127.0.0.1. The browser's link is
shaped with CDP `Network.emulateNetworkConditions`: "3g" 1.6 Mbit/s down, 750 kbit/s up,
150 ms RTT; "bad" 400 kbit/s both ways, 300 ms.

A shift: patrol1 logs in (online), the link goes offline, and 30 sealed records with 2 photos
(1600 × 1200 JPEG, about 300 KB, as the phone makes them) and 1 signature (PNG) each are
written into the app's IndexedDB (stores `records` and `blobs`, the rows the form writes;
seals computed by the server's own seal code). Seeding is used because driving 30 forms by
hand would dominate the run and is covered by the browser tests. Then the link comes back
(shaped) and the user taps "sync now": the time until no record is left in the outbox is set
against the pure transfer time of the bytes that had to go up (photos + signatures + record
JSON bodies) at the uplink's rate. The proxy counts every byte the browser sends (request line,
headers, body), per request, so the bytes on the wire per photo are exact.

Cut: one record (2 photos, 1 signature) on the 3g profile; the proxy breaks both TCP
connections once 90 % of the first photo's bytes have passed it. The app backs off, asks the
server what it holds and resumes. Printed: the bytes of that photo sent again (everything the
browser sent for it beyond its size) as a share of the photo.

Not a test: figures vary with the machine; compare builds with --against in one run.
"""

import argparse
import base64
import contextlib
import hashlib
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from playwright.sync_api import sync_playwright  # noqa: E402
from pwa_steps import log_in  # noqa: E402

from bench.sync_push import free_port  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
PROFILES = {  # bits per second, milliseconds of round trip
    "3g": {"down": 1_600_000, "up": 750_000, "rtt": 150},
    "bad": {"down": 400_000, "up": 400_000, "rtt": 300},
}
CHECKLIST = {
    "code": "bench_shift", "version": 1,
    "title": {"zh-CN": "班次巡查", "en": "Shift patrol"}, "subject": "property",
    "frequency": [{"id": "daily", "label": {"zh-CN": "每天一次", "en": "Daily"},
                   "scope": "property", "period": "day", "min_count": 1}],
    "sections": [{"id": "main", "title": {"zh-CN": "巡查", "en": "Patrol"}, "items": [
        {"id": "condition", "type": "pass_fail", "photo_when_failed": 1,
         "label": {"zh-CN": "公共区域状况", "en": "Common areas in order"}},
        {"id": "site_photos", "type": "photo", "min": 1, "max": 6,
         "label": {"zh-CN": "现场照片", "en": "Site photos"}},
        {"id": "inspector_signature", "type": "signature", "signer": "inspector",
         "label": {"zh-CN": "巡查人签字", "en": "Inspector signature"}}]}],
}
SHANGHAI = timezone(timedelta(hours=8))


# --- the data ------------------------------------------------------------------------------------

def photo(seed: int) -> bytes:
    """A 1600 × 1200 JPEG at quality 80 (what the phone's downscaling writes), about 300 KB."""
    from PIL import Image
    rng = random.Random(seed)
    small = Image.new("RGB", (80, 60))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(80 * 60)])
    image = small.resize((1600, 1200), Image.Resampling.BICUBIC)
    image = Image.blend(image, Image.effect_noise((1600, 1200), 40).convert("RGB"), 0.08)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def signature(seed: int) -> bytes:
    from PIL import Image, ImageDraw
    rng = random.Random(seed)
    image = Image.new("RGBA", (600, 240), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(rng.randrange(600), rng.randrange(240)) for _ in range(30)], fill=(0, 0, 0, 255),
              width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class Shift:
    records: list[dict] = field(default_factory=list)
    blobs: list[dict] = field(default_factory=list)   # {sha256, kind, type, data}

    def bytes_of(self, kind: str) -> int:
        return sum(len(b["data"]) for b in self.blobs if b["kind"] == kind)


def make_shift(count: int, property_id: int, seed: int) -> Shift:
    """`count` sealed records as the phone keeps them in IndexedDB, with their images."""
    from server.inspections.seal import seal_hash, seal_payload
    shift = Shift()
    now = datetime.now(SHANGHAI).replace(microsecond=0)
    for n in range(count):
        images = [("photo", "image/jpeg", photo(seed * 1000 + 2 * n)),
                  ("photo", "image/jpeg", photo(seed * 1000 + 2 * n + 1)),
                  ("signature", "image/png", signature(seed * 1000 + n))]
        hashes = [hashlib.sha256(data).hexdigest() for _kind, _type, data in images]
        shift.blobs += [{"sha256": h, "kind": kind, "type": kind_type, "data": data}
                        for h, (kind, kind_type, data) in zip(hashes, images, strict=True)]
        started = now - timedelta(hours=4) + timedelta(minutes=7 * n)
        at = started.isoformat()
        answers = {
            "condition": {"value": "fail", "comment": f"第{n + 1}处：楼道杂物堆放",
                          "photos": [{"sha256": hashes[0], "captured_at": at}]},
            "site_photos": {"photos": [{"sha256": hashes[1], "captured_at": at}]},
            "inspector_signature": {"signature": {"sha256": hashes[2], "signer_name": "李巡查",
                                                  "signed_at": at}}}
        record_id = str(uuid.uuid4())
        checklist = {"code": CHECKLIST["code"], "version": CHECKLIST["version"]}
        subject = {"type": "property", "id": property_id}
        completed = (started + timedelta(minutes=5)).isoformat()
        seal = seal_hash(seal_payload(record_id, property_id, checklist, subject, "patrol1",
                                      answers, at, completed))
        shift.records.append({
            "id": record_id, "state": "outbox", "property_id": property_id,
            "checklist": checklist, "title": CHECKLIST["title"], "subject": subject,
            "subject_label": "", "answers": answers, "started_at": at, "completed_at": completed,
            "inspector": "patrol1", "device_id": "bench-phone", "updated_at": completed,
            "seal": {"hash": seal}, "sealed_at": completed})
    return shift


SEED_BLOB = """async ([row, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const blob = new Blob([bytes], { type: row.type });
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open('xuncha'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  await new Promise((ok, fail) => {
    const tx = db.transaction('blobs', 'readwrite');
    tx.objectStore('blobs').put({ sha256: row.sha256, blob, type: row.type, size: blob.size,
      original_size: blob.size, kind: row.kind, stored: false, created_at: new Date().toISOString() });
    tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
  db.close();
}"""

SEED_RECORDS = """async (rows) => {
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open('xuncha'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  await new Promise((ok, fail) => {
    const tx = db.transaction('records', 'readwrite');
    for (const row of rows) tx.objectStore('records').put(row);
    tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
  db.close();
}"""

OUTBOX_COUNT = """async () => {
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open('xuncha'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const rows = await new Promise((ok) => {
    const r = db.transaction('records').objectStore('records').getAll(); r.onsuccess = () => ok(r.result); });
  db.close();
  return rows.filter((r) => r.state === 'outbox' || r.state === 'rejected')
    .map((r) => ({ state: r.state, refusal: r.refusal || r.rejection || null }));
}"""


# --- the server and the counting proxy -------------------------------------------------------------

def prepare(workdir: Path) -> tuple[str, int]:
    """Database with the demo data and the bench checklist; returns its URL and patrol1's
    property."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from server import create_app
    from server.checklists.operations import publish_definition
    from server.core.db import db
    from server.users.models import User
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BLOB_DIR": str(workdir / "blobs")})
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        publish_definition(CHECKLIST, "bench")
        db.session.commit()
        patrol = db.session.scalar(sa.select(User).filter_by(username="patrol1"))
        property_id = sorted(m.property_id for m in patrol.memberships)[0]
    return url, property_id


class Server:
    def __init__(self, url: str, workdir: Path, dist: Path):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "XUNCHA_BLOB_DIR": str(workdir / "blobs"),
               "XUNCHA_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000"}
        app = f"server:create_app({{'PWA_DIST_DIR': {str(dist)!r}}})"
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
             "--threads", "4", "--log-level", "error", "--keep-alive", "30", app],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


@dataclass
class Sent:
    """One request as the browser sent it: bytes of request line + headers, and of body."""
    method: str
    path: str
    head: int
    body: int


class CountingProxy:
    """Forwards HTTP/1.1 from the browser to the server, counting what the browser sends per
    request. `cut_after(path, sent_so_far)` may name a byte count of a request body after which
    the connection is broken (both sides), once."""

    def __init__(self, upstream: int):
        self.upstream = upstream
        self.port = free_port()
        self.sent: list[Sent] = []
        self.lock = threading.Lock()
        self.cut_rule = None      # (path prefix, bytes of body across requests at which to cut)
        self.cut_done = False
        self.body_by_path: dict[str, int] = {}
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self):
        with self.lock:
            self.sent, self.body_by_path = [], {}

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket):
        server = socket.create_connection(("127.0.0.1", self.upstream))
        for sock in (client, server):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = client.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                head += b"\r\n\r\n"
                method, path = head.split(b" ", 2)[:2]
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                entry = Sent(method.decode(), path.decode(), len(head), 0)
                with self.lock:
                    self.sent.append(entry)
                server.sendall(head)
                remaining = length
                while remaining:
                    if not buffer:
                        buffer = client.recv(65536)
                        if not buffer:
                            return
                    piece, buffer = buffer[:remaining], buffer[remaining:]
                    remaining -= len(piece)
                    entry.body += len(piece)
                    if self._cut(entry.path, len(piece), server, piece):
                        return
                    server.sendall(piece)
        except OSError:
            pass
        finally:
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.close()

    def _cut(self, path: str, size: int, server: socket.socket, piece: bytes) -> bool:
        """Forward up to the cut point, then break the connection."""
        path = path.split("?")[0]
        with self.lock:
            before = self.body_by_path.get(path, 0)
            self.body_by_path[path] = before + size
            rule = self.cut_rule
            if self.cut_done or not rule or path != rule[0] or before + size < rule[1]:
                return False
            self.cut_done = True
        server.sendall(piece[:rule[1] - before])
        time.sleep(0.05)  # let the server read what arrived before the break
        return True

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket):
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self):
        self.listener.close()


# --- one run ---------------------------------------------------------------------------------------

def shaped(cdp, profile: dict | None, offline=False):
    cdp.send("Network.emulateNetworkConditions", {
        "offline": offline,
        "latency": profile["rtt"] if profile else 0,
        "downloadThroughput": profile["down"] / 8 if profile else -1,
        "uploadThroughput": profile["up"] / 8 if profile else -1})


def sync_shift(browser, proxy: CountingProxy, shift: Shift, profile: dict, timeout: float) -> dict:
    """Seed `shift` offline, then go online over `profile` and sync; figures of the run."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  service_workers="block")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    url = f"http://127.0.0.1:{proxy.port}"
    log_in(page, url)
    page.wait_for_load_state("networkidle")
    shaped(cdp, None, offline=True)
    for row in shift.blobs:
        page.evaluate(SEED_BLOB, [{k: row[k] for k in ("sha256", "kind", "type")},
                                  base64.b64encode(row["data"]).decode()])
    page.evaluate(SEED_RECORDS, shift.records)
    page.wait_for_timeout(500)
    proxy.reset()
    shaped(cdp, profile)
    started = time.monotonic()
    page.get_by_test_id("sync-now").click()
    left = None
    while time.monotonic() - started < timeout:
        left = page.evaluate(OUTBOX_COUNT)
        if not left or all(r["state"] == "rejected" for r in left):
            break
        page.wait_for_timeout(100)
    elapsed = time.monotonic() - started
    context.close()
    with proxy.lock:
        sent = list(proxy.sent)
    return {"elapsed": elapsed, "left": left, "sent": sent}


def figures(run: dict, shift: Shift, profile: dict) -> dict:
    sent = run["sent"]
    photos = {b["sha256"]: len(b["data"]) for b in shift.blobs if b["kind"] == "photo"}
    per_photo = {sha: 0 for sha in photos}
    for request in sent:
        if request.path.startswith("/api/blobs/"):
            sha = request.path.split("/")[3].split("?")[0]
            if sha in per_photo:
                per_photo[sha] += request.head + request.body
    record_bodies = sum(r.body for r in sent if r.path.startswith("/api/inspections/")
                        and r.method == "PUT")
    payload = shift.bytes_of("photo") + shift.bytes_of("signature") + record_bodies
    pure = payload * 8 / profile["up"]
    wire = sum(r.head + r.body for r in sent)
    ratios = [per_photo[sha] / size for sha, size in photos.items()]
    count = {}
    for r in sent:
        path = r.path.split("?")[0]
        if path.startswith("/api/blobs/"):
            path = "/api/blobs/…/status" if path.endswith("/status") else "/api/blobs/…"
        elif path.startswith("/api/inspections/"):
            path = "/api/inspections/…"
        count[f"{r.method} {path}"] = count.get(f"{r.method} {path}", 0) + 1
    return {"seconds": round(run["elapsed"], 1), "pure_transfer_seconds": round(pure, 1),
            "ratio": round(run["elapsed"] / pure, 3),
            "payload_bytes": payload, "wire_bytes_up": wire, "requests": len(sent),
            "requests_by_kind": dict(sorted(count.items())),
            "photo_wire_over_stored_max": round(max(ratios), 4),
            "photo_wire_over_stored_mean": round(sum(ratios) / len(ratios), 4),
            "left_in_outbox": run["left"] or []}


def cut_run(browser, proxy: CountingProxy, shift: Shift, profile: dict, at: float) -> dict:
    target = next(b for b in shift.blobs if b["kind"] == "photo")
    size = len(target["data"])
    proxy.cut_done = False
    proxy.cut_rule = (f"/api/blobs/{target['sha256']}", int(size * at))
    run = sync_shift(browser, proxy, shift, profile, timeout=180)
    proxy.cut_rule = None
    sent_for = sum(r.body for r in run["sent"] if r.method == "PUT"
                   and r.path.split("?")[0] == f"/api/blobs/{target['sha256']}")
    requests = [f"{r.method} {r.path.split('?')[0][:24]}… {r.body}" for r in run["sent"]
                if r.path.startswith("/api/blobs/")]
    return {"photo_bytes": size, "cut_at": int(size * at), "cut_happened": proxy.cut_done,
            "blob_requests": requests,
            "body_bytes_sent_for_photo": sent_for, "sent_again": sent_for - size,
            "sent_again_share": round((sent_for - size) / size, 4),
            "seconds": round(run["elapsed"], 1), "left_in_outbox": run["left"] or []}


def measure(dist: Path, profiles: list[str], records: int, cuts: list[float], seed: int) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url, property_id = prepare(workdir)
        server = Server(url, workdir, dist)
        proxy = CountingProxy(server.port)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for n, name in enumerate(profiles):
                    shift = make_shift(records, property_id, seed + n)
                    run = sync_shift(browser, proxy, shift, PROFILES[name], timeout=1800)
                    results[name] = figures(run, shift, PROFILES[name])
                    print(name, json.dumps(results[name], ensure_ascii=False), flush=True)
                for n, at in enumerate(cuts):
                    name = f"cut {at:.0%}"
                    results[name] = cut_run(browser, proxy,
                                            make_shift(1, property_id, seed + 50 + n),
                                            PROFILES["3g"], at)
                    print(name, json.dumps(results[name]), flush=True)
                browser.close()
        finally:
            proxy.stop()
            server.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=30)
    parser.add_argument("--profiles", default="3g,bad")
    parser.add_argument("--cuts", default="0.9",
                        help="where to cut the first photo, as shares of it (empty: no cut)")
    parser.add_argument("--dist", type=Path, default=ROOT / "pwa" / "dist")
    parser.add_argument("--against", type=Path, help="another PWA build, measured after this one")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    profiles = [p for p in args.profiles.split(",") if p]
    cuts = [float(at) for at in args.cuts.split(",") if at]
    out = {"this": measure(args.dist.resolve(), profiles, args.records, cuts, args.seed)}
    if args.against:
        print("--- against", args.against.name, flush=True)
        out["against"] = measure(args.against.resolve(), profiles, args.records, cuts, args.seed)
    for build, results in out.items():
        for name, r in results.items():
            if name.startswith("cut"):
                print(f"{build:8} {name}: {r['sent_again']:,} B of a {r['photo_bytes']:,} B "
                      f"photo sent again ({r['sent_again_share']:.1%}; target ≤ 5 %)")
            else:
                print(f"{build:8} {name:4}: {r['seconds']} s vs {r['pure_transfer_seconds']} s of "
                      f"pure upload = {r['ratio']}× (target ≤ 1.25); {r['requests']} requests; "
                      f"photo bytes on the wire / stored: max {r['photo_wire_over_stored_max']} "
                      f"(target ≤ 1.05); left in outbox {len(r['left_in_outbox'])}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
