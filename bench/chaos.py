"""Chaos sync: simulated phones speak the real sync protocol through a fault-injecting TCP
proxy while the server processes are killed with SIGKILL and restarted. At the end, what each
phone believes it stored is compared with what the server has.

    .venv/bin/python bench/chaos.py --s3               # long setting: PostgreSQL, 3 workers, S3
    .venv/bin/python bench/chaos.py --records 40 --devices 4 --kills 2 --backend sqlite

The proxy (127.0.0.1 only) resets connections mid-request (which also truncates uploads),
drops responses after the server has answered (the server committed, the phone never heard),
delays requests and sends some twice. Every phone behaves like the PWA's outbox: one record at
a time, photos and signatures uploaded in resumable parts first (asking the server where to
continue after any failure), the record pushed until a 200, backoff between tries. Everything
is bounded in count and time and stops by itself.
"""

import argparse
import asyncio
import contextlib
import hashlib
import http.client
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.sync_push import free_port, make_database  # noqa: E402

CHUNK = 24 * 1024


# --- the server, killable ----------------------------------------------------------------------

class ServerProcesses:
    """gunicorn with several workers in its own process group, so one SIGKILL ends them all."""

    def __init__(self, port: int, env: dict, workers: int):
        self.port, self.env, self.workers = port, env, workers
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self):
        self.process = subprocess.Popen(
            [str(REPO / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", "4", "--log-level", "error",
             "--timeout", "30", "--keep-alive", "30", "server:create_app()"],
            cwd=REPO, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/api/health")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


# --- the network, faulty -------------------------------------------------------------------------

@dataclass
class FaultRates:
    reset_request: float = 0.08   # cut while the request is on its way (truncates uploads)
    drop_response: float = 0.08   # the server answered; the phone never hears it
    duplicate: float = 0.05       # the request reaches the server twice
    delay: float = 0.10           # 50–400 ms extra


class FaultProxy:
    """A TCP proxy on 127.0.0.1 that understands just enough HTTP/1.1 to cut it in bad places."""

    def __init__(self, upstream_port: int, rates: FaultRates, seed: int):
        self.upstream_port = upstream_port
        self.rates = rates
        self.rng = random.Random(seed)
        self.port = free_port()
        self.counts = {"reset_request": 0, "drop_response": 0, "duplicate": 0, "delay": 0,
                       "upstream_down": 0, "clean": 0}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()

    def start(self):
        self.thread.start()
        self.ready.wait(10)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self.server = server
        self.ready.set()
        self.loop.run_forever()

    def stop(self):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def _choose(self) -> str:
        roll = self.rng.random()
        for name in ("reset_request", "drop_response", "duplicate", "delay"):
            rate = getattr(self.rates, name)
            if roll < rate:
                return name
            roll -= rate
        return "clean"

    async def _upstream(self, request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        writer.write(request)
        await writer.drain()
        response = await asyncio.wait_for(reader.read(-1), timeout=60)
        writer.close()
        return response

    async def _handle(self, reader, writer):
        try:
            request = await _read_request(reader)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            writer.transport.abort()
            return
        fault = self._choose()
        self.counts[fault] += 1
        try:
            if fault == "delay":
                await asyncio.sleep(self.rng.uniform(0.05, 0.4))
            if fault == "reset_request":
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1",
                                                                     self.upstream_port)
                up_writer.write(request[:self.rng.randrange(1, len(request))])
                await up_writer.drain()
                await asyncio.sleep(0.01)
                up_writer.transport.abort()
                writer.transport.abort()
                return
            if fault == "duplicate":
                asyncio.ensure_future(self._swallow(request))
            response = await self._upstream(request)
            if fault == "drop_response":
                writer.write(response[:self.rng.randrange(0, max(1, len(response)))])
                await writer.drain()
                writer.transport.abort()
                return
            writer.write(response)
            await writer.drain()
            writer.close()
        except (TimeoutError, ConnectionError, OSError):
            self.counts["upstream_down"] += 1
            writer.transport.abort()

    async def _swallow(self, request: bytes):
        with contextlib.suppress(TimeoutError, ConnectionError, OSError):
            await self._upstream(request)


async def _read_request(reader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head + body


# --- the phones ----------------------------------------------------------------------------------

@dataclass
class PlannedRecord:
    record_id: str
    body: dict
    blobs: list[tuple[str, bytes, str]]  # (kind, bytes, content type)


@dataclass
class Device:
    username: str
    token: str
    port: int
    outbox: list[PlannedRecord]
    deadline: float
    believed: list[PlannedRecord] = field(default_factory=list)
    requests: int = 0
    failures: int = 0
    gave_up: str | None = None

    def _request(self, method, path, body=None, headers=None):
        self.requests += 1
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, body=body, headers={
                "Authorization": f"Bearer {self.token}", "Connection": "close",
                **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def _retry(self, attempt: int):
        """Capped exponential backoff, as the PWA's outbox (scaled down for a test run)."""
        self.failures += 1
        if time.monotonic() > self.deadline:
            raise TimeoutError("device ran out of time")
        time.sleep(min(1.0, 0.05 * 2 ** min(attempt, 5)) * random.uniform(0.5, 1.0))

    def upload(self, kind: str, data: bytes, content_type: str):
        digest = hashlib.sha256(data).hexdigest()
        attempt = 0
        while True:
            try:
                status, body = self._request("GET", f"/api/blobs/{digest}/status")
                if status != 200:
                    raise OSError(f"status {status}")
                state = json.loads(body)
                if state["stored"]:
                    return
                offset = state["received"]
                while offset < len(data):
                    end = min(len(data), offset + CHUNK)
                    status, body = self._request(
                        "PUT", f"/api/blobs/{digest}?kind={kind}", body=data[offset:end],
                        headers={"Content-Type": content_type,
                                 "Content-Range": f"bytes {offset}-{end - 1}/{len(data)}"})
                    if status != 200:
                        raise OSError(f"upload {status}: {body[:200]!r}")
                    state = json.loads(body)
                    if state["stored"]:
                        return
                    offset = state["received"]
            except (OSError, http.client.HTTPException, ValueError):
                attempt += 1
                self._retry(attempt)

    def push(self, record: PlannedRecord):
        attempt = 0
        payload = json.dumps(record.body).encode()
        while True:
            try:
                status, body = self._request("PUT", f"/api/inspections/{record.record_id}",
                                             body=payload,
                                             headers={"Content-Type": "application/json"})
                if status == 200:
                    return
                if 400 <= status < 500 and status not in (408, 429):
                    raise RuntimeError(f"refused {status}: {body[:300]!r}")
                raise OSError(f"push {status}")
            except (OSError, http.client.HTTPException):
                attempt += 1
                self._retry(attempt)

    def run(self):
        try:
            for record in self.outbox:
                for kind, data, content_type in record.blobs:
                    self.upload(kind, data, content_type)
                self.push(record)
                self.believed.append(record)  # only now may the phone forget its copy
        except (TimeoutError, RuntimeError) as error:
            self.gave_up = str(error)


# --- the data --------------------------------------------------------------------------------------

def photo(seed: int) -> bytes:
    from PIL import Image
    rng = random.Random(seed)
    image = Image.new("RGB", (480, 360), tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(300):
        image.putpixel((rng.randrange(480), rng.randrange(360)),
                       tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def signature(seed: int) -> bytes:
    from PIL import Image, ImageDraw
    rng = random.Random(seed)
    image = Image.new("L", (400, 150), 255)
    draw = ImageDraw.Draw(image)
    points = [(rng.randrange(400), rng.randrange(150)) for _ in range(12)]
    draw.line(points, fill=0, width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def plan_record(username: str, ids: dict, n: int, seed: int) -> PlannedRecord:
    from server.inspections.seal import seal_hash, seal_payload
    record_id = str(uuid.uuid4())
    evidence, site_photo = photo(seed * 4 + 1), photo(seed * 4 + 2)
    inspector_sig, contractor_sig = signature(seed * 4 + 3), signature(seed * 4 + 4)

    def sha(data):
        return hashlib.sha256(data).hexdigest()
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC) + timedelta(minutes=n)
    answers = {item: {"value": "pass"} for item in (
        "debris", "working_hours", "walls", "waterproofing", "guard_rails", "terrace_balcony",
        "installations")}
    answers["surface_protection"] = {"value": "fail", "comment": f"第{n}次巡查：地面未覆盖",
                                     "photos": [{"sha256": sha(evidence),
                                                 "captured_at": start.isoformat()}]}
    answers["site_photos"] = {"photos": [{"sha256": sha(site_photo),
                                          "captured_at": start.isoformat()}]}
    answers["inspector_signature"] = {"signature": {"sha256": sha(inspector_sig),
                                                    "signer_name": username,
                                                    "signed_at": start.isoformat()}}
    answers["contractor_signature"] = {"signature": {"sha256": sha(contractor_sig),
                                                     "signer_name": "施工方",
                                                     "signed_at": start.isoformat()}}
    body = {"property_id": ids["property"], "checklist": {"code": "renovation_patrol", "version": 1},
            "subject": {"type": "renovation", "id": ids["renovation"]}, "answers": answers,
            "started_at": start.isoformat(),
            "completed_at": (start + timedelta(minutes=9)).isoformat(), "device_id": username}
    body["seal"] = {"hash": seal_hash(seal_payload(
        record_id, body["property_id"], body["checklist"], body["subject"], username, answers,
        body["started_at"], body["completed_at"]))}
    blobs = [("photo", evidence, "image/jpeg"), ("photo", site_photo, "image/jpeg"),
             ("signature", inspector_sig, "image/png"), ("signature", contractor_sig, "image/png")]
    return PlannedRecord(record_id, body, blobs)


# --- the comparison ------------------------------------------------------------------------------

def compare(app, devices: list[Device]) -> dict:
    import sqlalchemy as sa

    from server.core.db import db
    from server.inspections.models import Inspection, InspectionRevision
    from server.inspections.seal import seal_hash, seal_payload
    from server.media.models import Blob
    from server.media.operations import storage_keys
    from server.media.storage import blob_store

    believed = [record for device in devices for record in device.believed]
    with app.app_context():
        stored = {str(r.id): r for r in db.session.scalars(sa.select(Inspection))}
        revisions = dict(db.session.execute(
            sa.select(InspectionRevision.inspection_id, sa.func.count())
            .group_by(InspectionRevision.inspection_id)).all())
        lost = [r.record_id for r in believed if r.record_id not in stored]
        duplicated = [rid for rid, count in revisions.items() if count != 1]
        believed_ids = {r.record_id for r in believed}
        unexpected = [rid for rid in stored if rid not in believed_ids]
        bad_seals = []
        for record in believed:
            row = stored.get(record.record_id)
            if row is None:
                continue
            recomputed = seal_hash(seal_payload(
                row.id, row.property_id, {"code": row.checklist_code,
                                          "version": row.checklist_version.version},
                {"type": row.subject_type, "id": row.subject_id}, row.inspector.username,
                row.answers, row.started_at_device, row.completed_at_device))
            if not (recomputed == row.seal_hash == record.body["seal"]["hash"]):
                bad_seals.append(record.record_id)
        expected_blobs = {hashlib.sha256(data).hexdigest(): kind
                          for record in believed for kind, data, _ in record.blobs}
        blob_rows = {b.sha256: b for b in db.session.scalars(sa.select(Blob))}
        missing_blobs = [h for h in expected_blobs if h not in blob_rows]
        store = blob_store()
        mismatched = [h for h in expected_blobs if h in blob_rows and hashlib.sha256(
            store.get(storage_keys(h, blob_rows[h].kind)["original"])).hexdigest() != h]
        db.engine.dispose()
    return {"records_believed": len(believed), "records_stored": len(stored),
            "photos_and_signatures": len(expected_blobs), "lost": len(lost),
            "duplicated": len(duplicated), "unexpected": len(unexpected),
            "missing_blobs": len(missing_blobs), "hash_mismatches": len(mismatched),
            "invalid_seals": len(bad_seals)}


# --- the run ---------------------------------------------------------------------------------------

def s3_emulator() -> tuple[object, dict]:
    """moto's S3 server on loopback, a bucket in it, and the settings that point Xuncha there.

    moto checks neither credentials nor signatures: this exercises the S3 code path and the
    object round trip, not S3's security."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per object otherwise
    emulator = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    emulator.start()
    host, port = emulator.get_host_and_port()
    settings = {"XUNCHA_BLOB_STORE": "s3", "XUNCHA_S3_BUCKET": "xuncha-chaos",
                "XUNCHA_S3_ENDPOINT_URL": f"http://{host}:{port}", "XUNCHA_S3_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "chaos", "AWS_SECRET_ACCESS_KEY": "chaos"}
    boto3.client("s3", endpoint_url=settings["XUNCHA_S3_ENDPOINT_URL"], region_name="us-east-1",
                 aws_access_key_id="chaos", aws_secret_access_key="chaos").create_bucket(
        Bucket="xuncha-chaos")
    return emulator, settings


def run_chaos(backend: str, devices: int, records_per_device: int, kills: int, workers: int,
              seed: int = 2026, time_limit: float = 900.0, rates: FaultRates | None = None,
              workdir: Path | None = None, s3: bool = False) -> dict:
    from bench.sync_push import seed as seed_database

    workdir = workdir or Path(tempfile.mkdtemp(prefix=f"xuncha-chaos-{backend}-"))
    url, drop = make_database(backend, workdir)
    server = proxy = emulator = None
    saved_environ = dict(os.environ)
    try:
        if s3:
            emulator, settings = s3_emulator()
            os.environ.update(settings)  # read by create_app here and by the server processes
        app, tokens, ids = seed_database(url, workdir, devices)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "XUNCHA_BLOB_DIR": str(workdir / "blobs")}
        server = ServerProcesses(port, env, workers)
        server.start()
        proxy = FaultProxy(port, rates or FaultRates(), seed)
        proxy.start()
        deadline = time.monotonic() + time_limit
        phones = [Device(username, token, proxy.port,
                         [plan_record(username, ids, n, seed * 100_000 + d * 1000 + n)
                          for n in range(records_per_device)], deadline)
                  for d, (username, token) in enumerate(tokens)]
        threads = [threading.Thread(target=phone.run) for phone in phones]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        # Kill the server at even intervals while the phones are busy.
        expected = devices * records_per_device
        for k in range(kills):
            target = (k + 1) / (kills + 1)
            while (sum(len(p.believed) for p in phones) < target * expected
                   and any(t.is_alive() for t in threads) and time.monotonic() < deadline):
                time.sleep(0.1)
            if not any(t.is_alive() for t in threads):
                break
            server.kill()
            time.sleep(random.Random(seed + k).uniform(0.2, 1.5))  # the phones hit a dead port
            server.start()
        for thread in threads:
            thread.join(max(1.0, deadline - time.monotonic()))
        elapsed = time.monotonic() - began
        result = compare(app, phones)
        result.update({"backend": backend, "blob_store": "s3 (moto)" if s3 else "local",
                       "workers": workers, "devices": devices,
                       "kills": server.kills, "seconds": round(elapsed, 1),
                       "requests": sum(p.requests for p in phones),
                       "retries": sum(p.failures for p in phones),
                       "gave_up": [p.gave_up for p in phones if p.gave_up],
                       "faults": dict(proxy.counts)})
        return result
    finally:
        if proxy:
            proxy.stop()
        if server:
            server.stop()
        if emulator:
            emulator.stop()
        os.environ.clear()
        os.environ.update(saved_environ)
        drop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="postgresql", choices=("sqlite", "postgresql"))
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--records", type=int, default=50, help="records per device")
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--s3", action="store_true", help="blobs in moto's S3 emulator")
    args = parser.parse_args()
    result = run_chaos(args.backend, args.devices, args.records, args.kills, args.workers,
                       args.seed, s3=args.s3)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    ok = (result["lost"] == result["duplicated"] == result["hash_mismatches"] ==
          result["invalid_seals"] == result["missing_blobs"] == result["unexpected"] == 0
          and not result["gave_up"])
    print("RESULT:", "0 lost, 0 duplicated, 0 hash mismatches, all seals valid" if ok
          else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
