"""PDF export: warm render time and size of one large record, and of a 100-record batch.

    .venv/bin/python bench/pdf_render.py [--repeat 7] [--batch 100] [--processes 2,0] [--png DIR]

Builds a throw-away SQLite site from the demo data, publishes a 40-item checklist, uploads
realistic photos (1600×1200 camera-like pictures, as the PWA sends them: JPEG at quality 0.8)
and PNG signatures through the API, pushes
sealed records through the API, then measures:

1. one record with 40 items, 10 photos and 2 signatures: the median and best of --repeat warm
   renders (the first render, which loads fonts, is reported separately), the PDF size, and
   the bytes of the photos it holds (display copies) → targets: ≤ 0.5 s, ≤ 2 MB, and
   PDF ≤ 1.2 × photo bytes + 300 KB;
2. a --batch record export (renovation patrols, 2 photos + 2 signatures each) run as an export
   job on --processes render processes (EXPORT_PROCESSES; 0 renders in the job's thread),
   merged PDF and ZIP: wall time, size, and the peak resident memory of this process and its
   render processes together (sampled every 200 ms from /proc); on render processes, the
   merged PDF twice: first starting them, then with the processes the first job left warm
   (EXPORT_PROCESS_IDLE_SECONDS);
3. with --png DIR: the pages of the demo renovation record (zh-CN and en) as PNGs at
   110 dpi (pdftoppm; every page), for looking at; keep those files out of the repo.
"""

import argparse
import hashlib
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CST = timezone(timedelta(hours=8))
PASSWORD = "bench-password-1"


def camera_photo(seed: int, width=1600, height=1200) -> bytes:
    """A JPEG that compresses like a phone photo of a site: shapes, gradients, fine noise."""
    from PIL import Image, ImageDraw, ImageFilter
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(40, 500), rng.randrange(40, 400)
        colour = tuple(rng.randrange(40, 230) for _ in range(3))
        (draw.rectangle if rng.random() < 0.6 else draw.ellipse)((x, y, x + w, y + h), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def phone_photo(seed: int) -> bytes:
    """A camera photo as the PWA uploads it: drawn on a canvas and saved as JPEG at quality
    0.8 (pwa/src/shared/photos.js), so nothing but pixels is in the file."""
    from PIL import Image
    out = io.BytesIO()
    Image.open(io.BytesIO(camera_photo(seed))).save(out, "JPEG", quality=80)
    return out.getvalue()


def signature_png(seed: int) -> bytes:
    from PIL import Image, ImageDraw
    rng = random.Random(seed)
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + i * 26, 100 + rng.randrange(-50, 50)) for i in range(21)]
    draw.line(points, fill=(10, 10, 60, 255), width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


BIG_CHECKLIST = """\
code: bench_site_patrol
version: 1
title: {{zh-CN: 综合巡查（40 项）, en: "Site patrol (40 items)"}}
subject: property
frequency:
  - id: weekly
    label: {{zh-CN: 每周一次, en: "Once a week"}}
    scope: property
    period: week
    min_count: 1
sections:
{sections}
"""
AREAS = ["大堂及入口", "电梯厅与电梯轿厢", "消防通道与楼梯间", "地下车库"]
AREAS_EN = ["Lobby and entrance", "Lift halls and cars", "Fire exits and stairs", "Basement car park"]
CHECKS = ["地面清洁无杂物", "墙面无破损污渍", "照明设施完好", "消防器材在有效期内", "标识标牌清晰",
          "门禁系统正常", "监控探头无遮挡", "无违规堆放", "排水通畅无积水"]


def big_checklist_yaml() -> str:
    sections = []
    for s, (area, area_en) in enumerate(zip(AREAS, AREAS_EN, strict=True)):
        items = []
        count = 9 if s < 3 else 8  # 35 pass/fail + 1 text + 1 photo + 1 number + 2 signatures
        for i in range(count):
            items.append(f"""      - id: s{s}_i{i}
        type: pass_fail
        label: {{zh-CN: "{area}：{CHECKS[i]}", en: "{area_en}: check {i + 1}"}}
        photo_when_failed: 1
        follow_up_on_fail: true""")
        if s == 3:
            items.append("""      - id: temperature
        type: number
        unit: {zh-CN: ℃, en: °C}
        label: {zh-CN: 机房温度, en: "Plant room temperature"}
      - id: notes
        type: text
        multiline: true
        required: false
        label: {zh-CN: 其他情况说明, en: "Other observations"}
      - id: overview_photos
        type: photo
        min: 1
        max: 6
        label: {zh-CN: 现场全景照片, en: "Overview photos"}
      - id: inspector_signature
        type: signature
        signer: inspector
        label: {zh-CN: 巡查人签字, en: "Inspector signature"}
      - id: supervisor_signature
        type: signature
        signer: supervisor
        label: {zh-CN: 客服主管签字, en: "Supervisor signature"}""")
        sections.append(f"""  - id: area{s}
    title: {{zh-CN: "{area}", en: "{area_en}"}}
    items:
""" + "\n".join(items))
    return BIG_CHECKLIST.format(sections="\n".join(sections))


class Site:
    def __init__(self, workdir: Path):
        from flask_migrate import upgrade

        from server import create_app
        from server.checklists.operations import load_checklists
        from server.core.db import db
        from server.demo import create_demo_data
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
                               "BLOB_DIR": str(workdir / "blobs"), "EXPORT_QUEUE": "thread",
                               "EXPORT_MAX_RECORDS": 1000})
        self.ctx = self.app.app_context()
        self.ctx.push()
        upgrade()
        load_checklists(REPO / "checklists")
        (workdir / "lists").mkdir()
        (workdir / "lists" / "bench_site_patrol.v1.yaml").write_text(big_checklist_yaml(), "utf-8")
        load_checklists(workdir / "lists")
        create_demo_data(PASSWORD)
        db.session.commit()
        self.client = self.app.test_client()
        self.patrol = self.login("patrol1")
        self.supervisor = self.login("supervisor1")

    def login(self, username):
        token = self.client.post("/api/auth/login", json={"username": username,
                                                          "password": PASSWORD}).get_json()["token"]
        return {"Authorization": f"Bearer {token}"}

    def property_id(self, code="binhewan-west"):
        import sqlalchemy as sa

        from server.core.db import db
        from server.properties.models import Property
        return db.session.scalar(sa.select(Property.id).filter_by(code=code))

    def renovation_id(self):
        import sqlalchemy as sa

        from server.core.db import db
        from server.properties.models import Renovation
        return db.session.scalar(sa.select(Renovation.id).filter_by(
            property_id=self.property_id(), status="active").order_by(Renovation.id))

    def upload(self, data: bytes, kind: str) -> int:
        content_type = "image/png" if kind == "signature" else "image/jpeg"
        response = self.client.put(f"/api/blobs/{sha(data)}?kind={kind}", data=data,
                                   headers={**self.patrol, "Content-Type": content_type})
        assert response.status_code == 200, response.get_json()
        return response

    def push(self, body: dict, blobs: list[tuple[bytes, str]]) -> str:
        from server.inspections.seal import seal_hash, seal_payload
        for data, kind in blobs:
            self.upload(data, kind)
        record_id = str(uuid.uuid4())
        body["seal"] = {"hash": seal_hash(seal_payload(
            record_id, body["property_id"], body["checklist"], body["subject"], "patrol1",
            body["answers"], body["started_at"], body["completed_at"]))}
        response = self.client.put(f"/api/inspections/{record_id}", json=body, headers=self.patrol)
        assert response.status_code == 200, response.get_json()
        return record_id

    def big_record(self, seed=1) -> tuple[str, int]:
        photos = [phone_photo(seed * 100 + n) for n in range(10)]
        signatures = [signature_png(seed * 100 + 50), signature_png(seed * 100 + 51)]
        start = datetime(2026, 11, 23, 21, 0, tzinfo=CST)
        answers, failed = {}, [(0, 2), (1, 5), (2, 0), (2, 7), (3, 3)]
        for s in range(4):
            for i in range(9 if s < 3 else 8):
                answers[f"s{s}_i{i}"] = {"value": "pass"}
        for n, (s, i) in enumerate(failed):
            answers[f"s{s}_i{i}"] = {
                "value": "fail", "comment": f"发现问题 {n + 1}：现场拍照留证，已通知维修班组当日处理。",
                "photos": [{"sha256": sha(photos[n]),
                            "captured_at": (start + timedelta(minutes=3 * n)).isoformat()}]}
        answers["temperature"] = {"value": 24.5}
        answers["notes"] = {"value": "夜间巡查整体情况良好；B2 层 3 号排水沟有少量积水，已报工程部。"}
        answers["overview_photos"] = {"photos": [
            {"sha256": sha(p), "captured_at": (start + timedelta(minutes=20 + n)).isoformat()}
            for n, p in enumerate(photos[5:])]}
        answers["inspector_signature"] = {"signature": {
            "sha256": sha(signatures[0]), "signer_name": "李巡查",
            "signed_at": (start + timedelta(minutes=40)).isoformat()}}
        answers["supervisor_signature"] = {"signature": {
            "sha256": sha(signatures[1]), "signer_name": "张主管",
            "signed_at": (start + timedelta(minutes=41)).isoformat()}}
        prop = self.property_id()
        body = {"property_id": prop, "checklist": {"code": "bench_site_patrol", "version": 1},
                "subject": {"type": "property", "id": prop}, "answers": answers,
                "started_at": start.isoformat(),
                "completed_at": (start + timedelta(minutes=42)).isoformat(),
                "device_id": "bench-phone"}
        blobs = [(p, "photo") for p in photos] + [(s, "signature") for s in signatures]
        record_id = self.push(body, blobs)
        return record_id, sum(self.display_size(p) for p in photos)

    def photo_bytes_of_export(self, export_id: int) -> int:
        """Bytes of the display copies of every photo the export's records hold."""
        from server.core.db import db
        from server.pdf.models import ExportJob
        db.session.rollback()
        return self.photo_bytes_of_records(db.session.get(ExportJob, export_id).record_ids)

    def photo_bytes_of_records(self, record_ids: list[str]) -> int:
        import sqlalchemy as sa

        from server.core.db import db
        from server.inspections.models import Inspection
        from server.inspections.seal import attachment_hashes
        from server.media.models import Blob
        from server.pdf import history
        db.session.rollback()
        hashes = set()
        for record_id in record_ids:
            record = db.session.get(Inspection, uuid.UUID(record_id))
            hashes |= set(attachment_hashes(record.answers))
            hashes |= history.follow_up_photo_hashes(history.follow_ups(record))
        return db.session.scalar(sa.select(sa.func.sum(Blob.display_size)).where(
            Blob.sha256.in_(hashes), Blob.kind == "photo")) or 0

    def display_size(self, data: bytes) -> int:
        from server.core.db import db
        from server.media.models import Blob
        db.session.rollback()  # see what the API's requests committed
        blob = db.session.get(Blob, sha(data))
        return blob.display_size if blob else 0

    def renovation_record(self, seed: int) -> str:
        evidence, site_photo = phone_photo(seed * 2 + 10_000), phone_photo(seed * 2 + 10_001)
        inspector, contractor = signature_png(seed * 2), signature_png(seed * 2 + 1)
        # Finished in the last minutes of today (Shanghai): the server refuses records finished
        # in the future and renovations are under way from the day the demo made them.
        now = datetime.now(CST)
        start = max(now.replace(hour=0, minute=0, second=0, microsecond=0),
                    now - timedelta(minutes=20)) + timedelta(seconds=seed % 50)
        answers = {item: {"value": "pass"} for item in (
            "debris", "working_hours", "walls", "waterproofing", "guard_rails",
            "terrace_balcony", "installations")}
        answers["surface_protection"] = {
            "value": "fail", "comment": "客厅地面未覆盖保护，已要求施工方当日整改并复查。",
            "photos": [{"sha256": sha(evidence), "captured_at": (start + timedelta(minutes=3)).isoformat()}]}
        answers["violation_description"] = {"value": "客厅及走廊地砖未做成品保护，已口头警告并拍照留证。"}
        answers["site_photos"] = {"photos": [{"sha256": sha(site_photo),
                                              "captured_at": (start + timedelta(minutes=5)).isoformat()}]}
        answers["inspector_signature"] = {"signature": {
            "sha256": sha(inspector), "signer_name": "李巡查",
            "signed_at": (start + timedelta(minutes=10)).isoformat()}}
        answers["contractor_signature"] = {"signature": {
            "sha256": sha(contractor), "signer_name": "王师傅",
            "signed_at": (start + timedelta(minutes=11)).isoformat()}}
        body = {"property_id": self.property_id(),
                "checklist": {"code": "renovation_patrol", "version": 1},
                "subject": {"type": "renovation", "id": self.renovation_id()},
                "answers": answers, "started_at": start.isoformat(),
                "completed_at": (start + timedelta(minutes=12)).isoformat(),
                "device_id": "bench-phone"}
        return self.push(body, [(evidence, "photo"), (site_photo, "photo"),
                                (inspector, "signature"), (contractor, "signature")])

    def follow_up_and_review(self, record_id: str):
        """The demo record's history: the failed item fixed (with a photo), the record returned."""
        follow_ups = self.client.get(f"/api/followups?property_id={self.property_id()}",
                                     headers=self.supervisor).get_json()["items"]
        mine = [f for f in follow_ups if f.get("inspection_id") == record_id] or follow_ups[:1]
        fix = phone_photo(424242)
        self.upload(fix, "photo")
        for follow_up in mine:
            response = self.client.post(
                f"/api/followups/{follow_up['id']}/events", headers=self.patrol,
                json={"id": str(uuid.uuid4()), "action": "fix", "note": "已铺设地面保护膜并拍照",
                      "photos": [{"sha256": sha(fix), "captured_at": "2026-11-01T15:00:00+08:00"}],
                      "at": "2026-11-01T15:01:00+08:00"})
            assert response.status_code < 300, response.get_json()
        response = self.client.post(f"/api/inspections/{record_id}/review", headers=self.supervisor,
                                    json={"action": "return", "revision": 1,
                                          "comment": "请补充整改后的全景照片。",
                                          "item_comments": {"site_photos": "照片偏暗"}})
        assert response.status_code == 200, response.get_json()


class PeakMemory:
    """Peak resident memory of this process plus its descendants, sampled from /proc."""

    def __init__(self, interval=0.2):  # walking /proc costs CPU the renders need
        self.interval, self.peak, self.stop = interval, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def tree_rss(root: int) -> int:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, todo = {root}, [root]
        while todo:
            pid = todo.pop()
            for child, parent in parents.items():
                if parent == pid and child not in tree:
                    tree.add(child)
                    todo.append(child)
        total = 0
        for pid in tree:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total

    def _run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, self.tree_rss(os.getpid()))
            self.stop.wait(self.interval)

    def __enter__(self):
        self.before = self.tree_rss(os.getpid())
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def timed(function, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each call. On a shared machine the CPU time says what the
    render costs; the wall time adds the wait for a core."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--processes", default="2",
                        help="render processes of the export job (EXPORT_PROCESSES); a list "
                             "(2,0) runs the batch once with each, one after the other")
    parser.add_argument("--alternate", type=int, default=0, metavar="N",
                        help="also render the big record N times each way, alternating: as now, "
                             "and as before (record.css inline, parsed again every render)")
    parser.add_argument("--png", type=Path, help="write first-page PNGs of the demo record here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="xuncha-pdf-bench-") as tmp:
        site = Site(Path(tmp))
        from server.core.db import db
        from server.inspections.models import Inspection
        from server.pdf.documents import record_pdf

        record_id, photo_bytes = site.big_record()
        record = db.session.get(Inspection, uuid.UUID(record_id))
        start = time.perf_counter()
        data = record_pdf(record)
        first = time.perf_counter() - start
        warm, warm_cpu = timed(lambda: record_pdf(record), args.repeat)
        budget = 1.2 * photo_bytes + 300 * 1024
        print("single record: 40 items, 10 photos, 2 signatures (zh-CN)")
        print(f"  first render {first:.3f} s; warm median {statistics.median(warm):.3f} s, "
              f"best {min(warm):.3f} s over {args.repeat} (target ≤ 0.5 s); CPU median "
              f"{statistics.median(warm_cpu):.3f} s, best {min(warm_cpu):.3f} s")
        print(f"  PDF {len(data) / 1024:.0f} KB (target ≤ 2048 KB); photos held "
              f"{photo_bytes / 1024:.0f} KB; budget 1.2×photos+300 KB = {budget / 1024:.0f} KB "
              f"→ {'OK' if len(data) <= budget else 'OVER'}")
        if args.alternate:
            from weasyprint import HTML

            from server.pdf import render
            from server.pdf.documents import record_document

            def inline_css():  # the pipeline before: the sheet inline, a new font set-up each time
                doc = record_document(record)
                rendered = HTML(string=render.record_html(doc), base_url=None,
                                url_fetcher=render.fetcher_for(doc)).render()
                return render.write_pdf([rendered], [doc["record_json"]])
            now_wall, now_cpu, before_wall, before_cpu = [], [], [], []
            for _ in range(args.alternate):
                for walls, cpus, function in ((now_wall, now_cpu, lambda: record_pdf(record)),
                                              (before_wall, before_cpu, inline_css)):
                    wall, cpu = timed(function, 1)
                    walls += wall
                    cpus += cpu
            print(f"  alternated ×{args.alternate}: now wall median "
                  f"{statistics.median(now_wall):.3f} s, CPU median {statistics.median(now_cpu):.3f}"
                  f" s; before (inline CSS) wall median {statistics.median(before_wall):.3f} s, "
                  f"CPU median {statistics.median(before_cpu):.3f} s; CPU ratio "
                  f"{statistics.median(now_cpu) / statistics.median(before_cpu):.3f}")
        en = record_pdf(record, "en")
        print(f"  en layout: {len(en) / 1024:.0f} KB")

        demo_id = site.renovation_record(seed=0)
        site.follow_up_and_review(demo_id)
        if args.png:
            args.png.mkdir(parents=True, exist_ok=True)
            demo = db.session.get(Inspection, uuid.UUID(demo_id))
            for lang in ("zh-CN", "en"):
                pdf = Path(tmp) / f"demo-{lang}.pdf"
                pdf.write_bytes(record_pdf(demo, lang))
                subprocess.run(["pdftoppm", "-r", "110", "-png",
                                str(pdf), str(args.png / f"demo-record-{lang}")], check=True)
            big = Path(tmp) / "big.pdf"
            big.write_bytes(data)
            subprocess.run(["pdftoppm", "-r", "80", "-png", str(big),
                            str(args.png / "big-record")], check=True)
            print(f"  PNGs of the demo record written to {args.png}")

        print(f"batch: {max(args.batch, 1)} renovation patrol records (2 photos + 2 signatures "
              "each)")
        start = time.perf_counter()
        for n in range(1, args.batch):
            site.renovation_record(seed=n)
        print(f"  (set-up: {args.batch} records pushed in {time.perf_counter() - start:.1f} s)")
        from server.pdf.batch import render_process_ids, stop_render_pools
        runs = [(int(p), fmt, warm) for fmt in ("pdf", "zip") for p in args.processes.split(",")
                for warm in ((False, True) if fmt == "pdf" and int(p) > 1 else (False,))]
        for processes, fmt, warm in runs:
            if not warm:
                stop_render_pools()  # start them within this job, as a first export does
            site.app.config["EXPORT_PROCESSES"] = processes
            print(f"  render processes: {processes}"
                  + (" (kept warm from the job before)" if warm else " (started by the job)"
                     if processes > 1 else ""))
            with PeakMemory() as memory:
                start = time.perf_counter()
                response = site.client.post("/api/exports", json={
                    "property_id": site.property_id(), "checklist": "renovation_patrol",
                    "format": fmt}, headers=site.supervisor)
                assert response.status_code == 202, response.get_json()
                job = response.get_json()
                while job["status"] in ("queued", "running"):
                    time.sleep(0.2)
                    job = site.client.get(f"/api/exports/{job['id']}",
                                          headers=site.supervisor).get_json()
                elapsed = time.perf_counter() - start
            assert job["status"] == "done", job
            kept = render_process_ids()
            if kept:
                idle = sum(PeakMemory.tree_rss(pid) for pid in kept)
                print(f"  render processes kept for the next job: {len(kept)}, "
                      f"{idle / 2**20:.0f} MB resident together")
            photos = site.photo_bytes_of_export(job["id"])
            print(f"  {fmt}: {job['total']} records in {elapsed:.1f} s "
                  f"({elapsed / job['total']:.3f} s/record), {job['file_size'] / 1024 / 1024:.1f} MB"
                  f"; photos held {photos / 1024 / 1024:.1f} MB; peak RSS (bench process + render "
                  f"processes) {memory.peak / 2**20:.0f} MB, {memory.before / 2**20:.0f} MB before")
            if fmt == "pdf":
                verdict = "OK" if job["file_size"] <= 1.2 * photos + 300 * 1024 else "OVER"
                print(f"    merged PDF vs 1.2×photos+300 KB: {verdict}")
            else:  # every PDF in the ZIP carries its own font subset: check each against its photos
                archive = zipfile.ZipFile(io.BytesIO(site.client.get(
                    job["file_url"], headers=site.supervisor).data))
                over = [name for name in archive.namelist()
                        if archive.getinfo(name).file_size > 1.2 * site.photo_bytes_of_records(
                            [name.removesuffix(".pdf").split("_")[-1]]) + 300 * 1024]
                sizes = [archive.getinfo(name).file_size for name in archive.namelist()]
                print(f"    each PDF vs 1.2×its photos+300 KB: {len(sizes) - len(over)} OK, "
                      f"{len(over)} OVER; PDF sizes {min(sizes) // 1024}–{max(sizes) // 1024} KB")
        stop_render_pools()
        site.ctx.pop()


if __name__ == "__main__":
    main()
