"""Push throughput: 20 simulated phones pushing sealed records to a real server process,
compared with the same rows inserted straight into the database.

    .venv/bin/python bench/sync_push.py [--devices 20] [--records 50] [--backends sqlite,postgresql]

For each backend: a fresh database, `gunicorn` with 2 workers on 127.0.0.1, then every device
pushes its batch one record at a time over its own keep-alive connection (as the PWA's outbox
does). Prints records/s and p50/p99 latency, then the direct-insert baseline (one transaction per
record, as the API does) and the ratio API/direct. Traffic stays on loopback; the run stops by
itself. Numbers are for this machine at the time of the run; compare ratios, not absolutes.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PG_ADMIN = os.environ.get("XUNCHA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_database(backend: str, workdir: Path) -> tuple[str, callable]:
    import sqlalchemy as sa
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None
    name = f"xuncha_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return sa.engine.make_url(PG_ADMIN).set(database=name).render_as_string(False), drop


def seed(url: str, workdir: Path, devices: int):
    """Schema, checklists, one property with an active renovation, one patrol user per device."""
    from flask_migrate import upgrade

    from server import create_app
    from server.checklists.operations import load_checklists
    from server.core.db import db
    from server.properties.models import Property, Renovation, Unit
    from server.users.models import User
    from server.users.operations import hash_password, issue_token, set_memberships

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BLOB_DIR": str(workdir / "blobs")})
    with app.app_context():
        upgrade()
        load_checklists(REPO / "checklists")
        prop = Property(code="bench", name="压测小区")
        db.session.add(prop)
        db.session.flush()
        unit = Unit(property_id=prop.id, building="1", entrance="1", room="101")
        renovation = Renovation(property_id=prop.id, unit=unit, contractor_name="压测装饰",
                                permit_start=date(2026, 1, 1), permit_end=date(2027, 1, 1),
                                status="active")
        db.session.add_all([unit, renovation])
        password = hash_password("bench-password")
        tokens = []
        for n in range(devices):
            user = User(username=f"device{n}", display_name=f"设备{n}", role="patrol",
                        password_hash=password)
            db.session.add(user)
            db.session.flush()
            set_memberships(user, {prop.id: False})
            tokens.append((user.username, issue_token(user, "bench")[0]))
        db.session.commit()
        ids = {"property": prop.id, "renovation": renovation.id}
        db.engine.dispose()
    return app, tokens, ids


def record_body(record_id: str, username: str, ids: dict, n: int) -> dict:
    from server.inspections.seal import seal_hash, seal_payload
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC) + timedelta(minutes=n)
    fake = lambda k: f"{(n * 7919 + k) % (2**64):016x}".ljust(64, "a")  # noqa: E731
    answers = {item: {"value": "pass"} for item in (
        "surface_protection", "debris", "working_hours", "walls", "waterproofing",
        "guard_rails", "terrace_balcony", "installations")}
    answers["site_photos"] = {"photos": [{"sha256": fake(1), "captured_at": start.isoformat()}]}
    for k, item in enumerate(("inspector_signature", "contractor_signature"), start=2):
        answers[item] = {"signature": {"sha256": fake(k), "signer_name": "某人",
                                       "signed_at": start.isoformat()}}
    body = {"property_id": ids["property"],
            "checklist": {"code": "renovation_patrol", "version": 1},
            "subject": {"type": "renovation", "id": ids["renovation"]}, "answers": answers,
            "started_at": start.isoformat(),
            "completed_at": (start + timedelta(minutes=10)).isoformat(), "device_id": username}
    body["seal"] = {"hash": seal_hash(seal_payload(
        record_id, body["property_id"], body["checklist"], body["subject"], username, answers,
        body["started_at"], body["completed_at"]))}
    return body


def run_devices(port: int, tokens, ids, per_device: int):
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    prepared = [[(str(uuid.uuid4()), username) for _ in range(per_device)]
                for username, _ in tokens]
    bodies = {rid: json.dumps(record_body(rid, user, ids, n)).encode()
              for batch in prepared for n, (rid, user) in enumerate(batch)}

    def device(index: int):
        token = tokens[index][1]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for record_id, _ in prepared[index]:
            began = time.perf_counter()
            connection.request("PUT", f"/api/inspections/{record_id}", body=bodies[record_id],
                               headers={"Authorization": f"Bearer {token}",
                                        "Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    errors.append(str(response.status))
        connection.close()

    threads = [threading.Thread(target=device, args=(i,)) for i in range(len(tokens))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return latencies, errors, wall, [b for batch in prepared for b in batch], bodies


def direct_inserts(app, records, bodies) -> tuple[float, int]:
    """The same rows written straight with the ORM, one transaction per record."""
    from server.checklists.operations import find_version
    from server.core.db import db
    from server.inspections.models import Inspection, InspectionAttachment, InspectionRevision
    from server.inspections.seal import attachment_hashes
    from server.users.models import User
    with app.app_context():
        version = find_version("renovation_patrol", 1)
        users = {u.username: u.id for u in db.session.query(User).all()}
        began = time.perf_counter()
        for record_id, username in records:
            body = json.loads(bodies[record_id])
            rid = uuid.UUID(record_id)
            common = dict(answers=body["answers"], seal_hash=body["seal"]["hash"],
                          started_at_device=body["started_at"],
                          completed_at_device=body["completed_at"], device_id=username)
            db.session.add(Inspection(
                id=rid, property_id=body["property_id"], checklist_version_id=version.id,
                checklist_code="renovation_patrol", subject_type="renovation",
                subject_id=body["subject"]["id"], inspector_id=users[username], revision=1,
                completed_at=datetime.fromisoformat(body["completed_at"]), **common))
            db.session.flush()
            db.session.add(InspectionRevision(inspection_id=rid, revision=1, **common))
            for digest in attachment_hashes(body["answers"]):
                db.session.add(InspectionAttachment(inspection_id=rid, sha256=digest))
            db.session.commit()
        elapsed = time.perf_counter() - began
        db.engine.dispose()
    return elapsed, len(records)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench(backend: str, devices: int, per_device: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"xuncha-bench-{backend}-"))
    url, drop = make_database(backend, workdir)
    server = None
    try:
        app, tokens, ids = seed(url, workdir, devices)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "XUNCHA_BLOB_DIR": str(workdir / "blobs")}
        from bench.chaos import ServerProcesses
        server = ServerProcesses(port, env, 2)
        server.start()
        latencies, errors, wall, records, bodies = run_devices(port, tokens, ids, per_device)
        # Second database for the baseline, so both start from the same empty tables.
        base_dir = workdir / "direct"
        base_dir.mkdir()
        base_url, base_drop = make_database(backend, base_dir)
        try:
            base_app, base_tokens, base_ids = seed(base_url, base_dir, devices)
            direct_records = [(rid, f"device{i // per_device}") for i, (rid, _) in
                              enumerate(records)]
            direct_bodies = {rid: json.dumps(record_body(rid, user, base_ids, n)).encode()
                             for n, (rid, user) in enumerate(direct_records)}
            direct_seconds, count = direct_inserts(base_app, direct_records, direct_bodies)
        finally:
            base_drop()
        api_rate = len(latencies) / wall
        direct_rate = count / direct_seconds
        return {"backend": backend, "records": len(latencies), "errors": len(errors),
                "api_per_s": api_rate, "p50_ms": statistics.median(latencies) * 1000,
                "p99_ms": percentile(latencies, 0.99) * 1000, "direct_per_s": direct_rate,
                "ratio": api_rate / direct_rate}
    finally:
        if server:
            server.stop()
        drop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--records", type=int, default=50, help="records per device")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = [bench(b, args.devices, args.records) for b in args.backends.split(",")]
    print(f"\n{args.devices} devices × {args.records} records, gunicorn 2 workers × 4 threads, "
          f"{os.cpu_count()} CPUs")
    print(f"{'backend':<11}{'records':>8}{'errors':>7}{'API rec/s':>11}{'p50 ms':>9}"
          f"{'p99 ms':>9}{'direct rec/s':>14}{'API/direct':>12}")
    for r in rows:
        print(f"{r['backend']:<11}{r['records']:>8}{r['errors']:>7}{r['api_per_s']:>11.1f}"
              f"{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['direct_per_s']:>14.1f}"
              f"{r['ratio']:>12.2f}")


if __name__ == "__main__":
    main()
