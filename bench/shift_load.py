"""Load as phones really behave: N phones each syncing every 30–60 s through a shift, with the
shift-start and shift-end bursts, against gunicorn on PostgreSQL; a stepped search for the
largest N held at p99 ≤ 500 ms, and the saturation throughput. With ``--against``, the same
steps run on another tree (the code before a change) in the same run, alternating.

    .venv/bin/python bench/shift_load.py [--steps 100,200,400,800] [--seconds 90]
                                         [--against <worktree>] [--workers 3]

Per step and tree: a fresh database (one property per 25 phones, 40 households and 5
renovations each, 20,000 records of the past month), a gunicorn started from that tree on
127.0.0.1, then:
- shift start: every phone logs in with a full pull within the first 10 s;
- the shift: each phone syncs every 30–60 s: a delta pull, and when it has work (one sync in
  three) two photo uploads and the sealed record;
- shift end: in the last 15 s every phone sends the one or two records still on it (photos
  first) and pulls once more.
The step reports requests/s, p50/p99 of all requests and per kind, the busiest second, and the
machine's load average. Saturation: 64 phones with no pause between requests (pull, two
photos, record) for ``--seconds`` / 2; requests/s. Bounded in time; loopback only.
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if "--seed" not in sys.argv:  # seeding runs in the measured tree's process, with its code
    sys.path.insert(0, str(REPO))

from bench.chaos import photo  # noqa: E402
from bench.sync_push import free_port, make_database, percentile  # noqa: E402

PHONES_PER_PROPERTY = 25
TARGET_P99_MS = 500


def seed(url: str, workdir: Path, phones: int, history: int):
    """Schema (this tree's migrations), checklists, properties, patrol users and history."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from server import create_app
    from server.checklists.operations import find_version, load_checklists
    from server.core.db import db
    from server.inspections.models import Inspection
    from server.properties.models import Property, Renovation, Unit
    from server.users.models import User
    from server.users.operations import hash_password, issue_token, set_memberships

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BLOB_DIR": str(workdir / "blobs")})
    with app.app_context():
        upgrade()
        load_checklists(REPO / "checklists")
        password = hash_password("bench-password")
        phones_out = []
        props = []
        for p in range((phones + PHONES_PER_PROPERTY - 1) // PHONES_PER_PROPERTY):
            prop = Property(code=f"bench-{p}", name=f"压测小区{p}")
            db.session.add(prop)
            db.session.flush()
            units = [Unit(property_id=prop.id, building=str(1 + n // 10), entrance="1",
                          room=f"{101 + n % 10}", is_occupied=True) for n in range(40)]
            renovations = [Renovation(property_id=prop.id, unit=units[n], contractor_name="压测装饰",
                                      permit_start=date(2026, 1, 1), permit_end=date(2099, 1, 1),
                                      status="active") for n in range(5)]
            db.session.add_all([*units, *renovations])
            db.session.flush()
            props.append((prop.id, [r.id for r in renovations], [u.id for u in units]))
        users = []
        for n in range(phones):
            prop_id, renovation_ids, _units = props[n // PHONES_PER_PROPERTY]
            user = User(username=f"phone{n}", display_name=f"巡查{n}", role="patrol",
                        password_hash=password)
            db.session.add(user)
            db.session.flush()
            set_memberships(user, {prop_id: n % PHONES_PER_PROPERTY == 0})
            users.append(user.id)
            phones_out.append({"username": user.username, "token": issue_token(user, "bench")[0],
                               "property": prop_id, "renovations": renovation_ids})
        db.session.commit()
        # History: the past month's records, mostly approved (what a running site holds).
        rng = random.Random(3)
        version = find_version("renovation_patrol", 1)
        now = datetime.now(UTC)
        batch = []
        for n in range(history):
            index = rng.randrange(phones)
            prop_id, renovation_ids, _units = props[index // PHONES_PER_PROPERTY]
            done = now - timedelta(minutes=rng.randrange(60, 30 * 24 * 60))
            batch.append(dict(
                id=uuid.uuid4(), property_id=prop_id, checklist_version_id=version.id,
                checklist_code="renovation_patrol", subject_type="renovation",
                subject_id=rng.choice(renovation_ids), inspector_id=users[index],
                status=rng.choice(("approved",) * 9 + ("submitted",)), revision=1,
                answers={"debris": {"value": "pass"}}, has_failures=False,
                started_at_device=done.isoformat(), completed_at_device=done.isoformat(),
                completed_at=done, seal_hash="0" * 64, received_at=done, created_at=done,
                updated_at=done))
            if len(batch) == 5000 or n == history - 1:
                db.session.execute(sa.insert(Inspection), batch)
                db.session.commit()
                batch = []
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()
    return phones_out


def record_body(record_id: str, phone: dict, photos: list[str], moment: datetime) -> bytes:
    from server.inspections.seal import seal_hash, seal_payload
    answers = {item: {"value": "pass"} for item in (
        "surface_protection", "debris", "working_hours", "walls", "waterproofing",
        "guard_rails", "terrace_balcony", "installations")}
    answers["site_photos"] = {"photos": [{"sha256": digest, "captured_at": moment.isoformat()}
                                         for digest in photos]}
    for k, item in enumerate(("inspector_signature", "contractor_signature")):
        answers[item] = {"signature": {"sha256": hashlib.sha256(
            f"{record_id}{k}".encode()).hexdigest(), "signer_name": "某人",
            "signed_at": moment.isoformat()}}
    body = {"property_id": phone["property"],
            "checklist": {"code": "renovation_patrol", "version": 1},
            "subject": {"type": "renovation", "id": random.choice(phone["renovations"])},
            "answers": answers, "started_at": (moment - timedelta(minutes=10)).isoformat(),
            "completed_at": moment.isoformat(), "device_id": phone["username"]}
    body["seal"] = {"hash": seal_hash(seal_payload(
        record_id, body["property_id"], body["checklist"], body["subject"], phone["username"],
        answers, body["started_at"], body["completed_at"]))}
    return json.dumps(body).encode()


class Samples:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_kind: dict[str, list[float]] = {}
        self.per_second: dict[int, int] = {}
        self.errors: list[str] = []
        self.began = time.monotonic()

    def request(self, connection, kind, method, path, body=None, headers=None):
        began = time.perf_counter()
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - began
        with self.lock:
            self.by_kind.setdefault(kind, []).append(elapsed)
            second = int(time.monotonic() - self.began)
            self.per_second[second] = self.per_second.get(second, 0) + 1
            if response.status != 200:
                self.errors.append(f"{kind} {response.status}")
        return data


class Phone:
    """One phone: its connection, cursor and the work waiting on it."""

    def __init__(self, phone: dict, samples: Samples, port: int, photo_pool, seed: int):
        self.phone, self.samples, self.port = phone, samples, port
        self.photos = photo_pool
        self.rng = random.Random(seed)
        self.auth = {"Authorization": f"Bearer {phone['token']}"}
        self.cursor = None
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, kind, method, path, body=None, headers=None):
        try:
            return self.samples.request(self.connection, kind, method, path, body,
                                        {**self.auth, **(headers or {})})
        except (OSError, http.client.HTTPException) as error:
            with self.samples.lock:
                self.samples.errors.append(f"{kind} {type(error).__name__}")
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return None

    def pull(self):
        data = self.call("pull", "GET", "/api/sync/pull" + (
            f"?cursor={self.cursor}" if self.cursor else ""))
        if data:
            self.cursor = json.loads(data).get("cursor", self.cursor)

    def send_record(self):
        hashes = []
        for _ in range(2):
            data = next(self.photos)
            digest = hashlib.sha256(data).hexdigest()
            self.call("photo", "PUT", f"/api/blobs/{digest}?kind=photo", data,
                      {"Content-Type": "image/jpeg"})
            hashes.append(digest)
        record_id = str(uuid.uuid4())
        body = record_body(record_id, self.phone, hashes, datetime.now(UTC))
        self.call("push", "PUT", f"/api/inspections/{record_id}", body,
                  {"Content-Type": "application/json"})


def photo_pool(count: int):
    """Distinct JPEGs without end: past ``count`` pictures, the same ones with a JPEG comment
    segment that makes each a new file (a new hash the server has not seen)."""
    pool = [photo(n) for n in range(count)]
    lock = threading.Lock()
    state = {"n": 0}

    def take():
        while True:
            with lock:
                n = state["n"]
                state["n"] += 1
            data = pool[n % count]
            if n >= count:
                payload = f"xuncha bench {n}".encode()
                data = data[:2] + b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload \
                    + data[2:]
            yield data
    return take()


def run_shift(port: int, phones: list[dict], seconds: int, pool) -> Samples:
    samples = Samples()
    stop_at = time.monotonic() + seconds
    end_burst = stop_at - 15

    def life(index):
        phone = Phone(phones[index], samples, port, pool, index)
        rng = phone.rng
        time.sleep(rng.uniform(0, 10))  # shift start: everyone logs in within 10 s
        phone.pull()
        next_sync = time.monotonic() + rng.uniform(30, 60)
        while True:
            wait = min(next_sync, end_burst) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if time.monotonic() >= end_burst:
                break
            phone.pull()
            if rng.random() < 1 / 3:
                phone.send_record()
            next_sync = time.monotonic() + rng.uniform(30, 60)
        # Shift end: the last records go within 10 s, then one pull.
        time.sleep(rng.uniform(0, 10))
        for _ in range(rng.choice((1, 2))):
            phone.send_record()
        phone.pull()
        phone.connection.close()

    threads = [threading.Thread(target=life, args=(i,), daemon=True) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1, stop_at + 60 - time.monotonic()))
    samples.elapsed = time.monotonic() - samples.began
    return samples


def run_saturation(port: int, phones: list[dict], seconds: int, pool) -> Samples:
    samples = Samples()
    stop_at = time.monotonic() + seconds

    def loop(index):
        phone = Phone(phones[index % len(phones)], samples, port, pool, 1000 + index)
        while time.monotonic() < stop_at:
            phone.pull()
            phone.send_record()
        phone.connection.close()

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    samples.elapsed = time.monotonic() - samples.began
    return samples


def start_server(tree: Path, port: int, env: dict, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(REPO / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "--threads", "4", "--log-level", "error", "--timeout", "60",
         "--keep-alive", "75", "server:create_app()"],
        cwd=tree, env={**env, "PYTHONPATH": str(tree)}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def stop_server(process: subprocess.Popen):
    import signal
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def summary(samples: Samples) -> dict:
    every = [v for values in samples.by_kind.values() for v in values]
    return {"requests": len(every), "per_s": len(every) / samples.elapsed,
            "p50": statistics.median(every) * 1000 if every else 0,
            "p99": percentile(every, 0.99) * 1000 if every else 0,
            "busiest_s": max(samples.per_second.values(), default=0),
            "errors": len(samples.errors), "error_kinds": sorted(set(samples.errors))[:4],
            "kinds": {kind: (len(v), statistics.median(v) * 1000, percentile(v, 0.99) * 1000)
                      for kind, v in samples.by_kind.items()}}


def measure(tree: Path, phones_count: int, args, pool, saturate: bool) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="xuncha-shift-"))
    url, drop = make_database("postgresql", workdir)
    process = None
    try:
        phones = seed_in(tree, url, workdir, phones_count, args.history)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "XUNCHA_BLOB_DIR": str(workdir / "blobs")}
        process = start_server(tree, port, env, args.workers)
        if args.profile_dir:
            profile = subprocess.Popen(
                [str(REPO / ".venv/bin/py-spy"), "record", "--pid", str(process.pid),
                 "--subprocesses", "--duration", str(args.seconds), "--rate", "50",
                 "--format", "raw", "--output",
                 str(Path(args.profile_dir) / f"{tree.name}-{phones_count}.txt")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        load_before = os.getloadavg()[0]
        result = summary(run_shift(port, phones, args.seconds, pool))
        result["load"] = (load_before, os.getloadavg()[0])
        if args.profile_dir:
            profile.wait(timeout=120)
        if saturate:
            sat = summary(run_saturation(port, phones, args.seconds // 2, pool))
            result["saturation"] = sat
        return result
    finally:
        if process:
            stop_server(process)
        drop()


def seed_in(tree: Path, url: str, workdir: Path, phones: int, history: int) -> list[dict]:
    """Seed with the measured tree's own code and migrations, in its own process."""
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--seed", url, "--workdir", str(workdir),
         "--phones", str(phones), "--history", str(history)],
        cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True,
        capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="100,200,400,800")
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--history", type=int, default=20_000)
    parser.add_argument("--against", type=Path)
    parser.add_argument("--profile-dir", help="py-spy raw profiles of each step's server")
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--phones", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        # sys.path[0] is this file's folder; the tree measured comes from PYTHONPATH.
        print(json.dumps(seed(args.seed, Path(args.workdir), args.phones, args.history)))
        return

    trees = [("after", REPO)] + ([("before", args.against.resolve())] if args.against else [])
    steps = [int(n) for n in args.steps.split(",")]
    pool = photo_pool(300)
    held: dict[str, int] = {}
    print(f"{os.cpu_count()} CPUs; gunicorn {args.workers} workers × 4 threads, PostgreSQL; "
          f"{args.seconds} s per step; the load generator runs on the same cores")
    for number, phones in enumerate(steps):
        order = trees if number % 2 == 0 else list(reversed(trees))
        for name, tree in order:
            result = measure(tree, phones, args, pool, saturate=(number == 0))
            kinds = ", ".join(f"{k} {n} × {p50:.0f}/{p99:.0f}"
                              for k, (n, p50, p99) in sorted(result["kinds"].items()))
            print(f"{name:<7} {phones:>5} phones: {result['requests']} requests "
                  f"({result['per_s']:.1f}/s, busiest second {result['busiest_s']}), "
                  f"p50/p99 {result['p50']:.0f}/{result['p99']:.0f} ms, errors "
                  f"{result['errors']} {result['error_kinds'] or ''}; per kind n × p50/p99 ms: "
                  f"{kinds}; load average {result['load'][0]:.1f} → {result['load'][1]:.1f}",
                  flush=True)
            if "saturation" in result:
                sat = result["saturation"]
                print(f"{name:<7} saturation (64 phones, no pause): {sat['requests']} requests, "
                      f"{sat['per_s']:.1f}/s, p50/p99 {sat['p50']:.0f}/{sat['p99']:.0f} ms, "
                      f"errors {sat['errors']}", flush=True)
            # Every step runs (a curve, not only the limit): the largest N that held is kept.
            if result["p99"] <= TARGET_P99_MS and result["errors"] == 0:
                held[name] = max(held.get(name, 0), phones)
    for name, _tree in trees:
        print(f"{name}: largest N held at p99 ≤ {TARGET_P99_MS} ms with 0 errors: "
              f"{held.get(name, 'none of the steps')}")


if __name__ == "__main__":
    main()
