"""Supervisor queries on 100,000 records: the records list (plain, filtered, text search) and
the month's compliance, p50/p99 over repeated calls, on SQLite and PostgreSQL.

    .venv/bin/python bench/workspace_queries.py [--records 100000] [--repeat 30]

Records are generated straight into a fresh database (3 properties × 264 households, the four
checklists, six months); the queries go through the Flask app in-process, so the figures are
the server's own time for query + serialisation, without network. Target: p99 ≤ 200 ms.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.sync_push import make_database, percentile  # noqa: E402


def generate(app, total: int):
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from server.checklists.operations import find_version, load_checklists
    from server.core.db import db
    from server.demo import create_demo_data
    from server.inspections.models import Inspection
    from server.properties.models import Property, Renovation, Unit
    from server.users.models import User

    with app.app_context():
        upgrade()
        load_checklists(REPO / "checklists")
        create_demo_data("bench-password")
        db.session.commit()
        rng = random.Random(7)
        props = db.session.scalars(sa.select(Property)).all()
        users = db.session.scalars(sa.select(User).where(User.role.in_(("patrol", "supervisor")))).all()
        versions = {code: find_version(code, 1) for code in
                    ("renovation_patrol", "night_check", "key_audit", "home_visit")}
        subjects = {}
        for prop in props:
            subjects[prop.id] = {
                "renovation_patrol": [("renovation", r) for r in db.session.scalars(
                    sa.select(Renovation.id).filter_by(property_id=prop.id))],
                "home_visit": [("unit", u) for u in db.session.scalars(
                    sa.select(Unit.id).filter_by(property_id=prop.id))],
                "night_check": [("property", prop.id)], "key_audit": [("key_register", prop.id)],
            }
        now = datetime.now(UTC)
        weights = [("renovation_patrol", 0.55), ("home_visit", 0.25), ("key_audit", 0.15),
                   ("night_check", 0.05)]
        comments = ["楼道堆放装修垃圾", "成品保护不到位", "防护栏未安装", "业主反映噪音", ""]
        batch = []
        for n in range(total):
            prop = rng.choice(props)
            code = rng.choices([w[0] for w in weights], [w[1] for w in weights])[0]
            subject_type, subject_id = rng.choice(subjects[prop.id][code])
            completed = now - timedelta(minutes=rng.randrange(0, 180 * 24 * 60))
            failed = rng.random() < 0.15
            answers = {"debris": {"value": "fail" if failed else "pass",
                                  "comment": rng.choice(comments) if failed else ""}}
            batch.append(dict(
                id=uuid.uuid4(), property_id=prop.id, checklist_version_id=versions[code].id,
                checklist_code=code, subject_type=subject_type, subject_id=subject_id,
                inspector_id=rng.choice(users).id, status=rng.choice(
                    ("submitted", "approved", "approved", "returned")),
                revision=1, answers=answers, has_failures=failed,
                started_at_device=completed.isoformat(), completed_at_device=completed.isoformat(),
                completed_at=completed, seal_hash="0" * 64, received_at=completed,
                created_at=completed, updated_at=completed))
            if len(batch) == 5000 or n == total - 1:
                db.session.execute(sa.insert(Inspection), batch)
                db.session.commit()
                batch = []
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        prop = props[0]
        supervisor = db.session.scalar(sa.select(User).filter_by(username="supervisor1"))
        from server.users.operations import issue_token
        token = issue_token(supervisor, "bench")[0]
        db.session.commit()
        return prop.id, token


def measure(client, headers, url, repeat):
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.get_json())
    return statistics.median(timings), percentile(timings, 0.99)


def bench(backend: str, total: int, repeat: int):
    from server import create_app
    workdir = Path(tempfile.mkdtemp(prefix=f"xuncha-wq-{backend}-"))
    url, drop = make_database(backend, workdir)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BLOB_DIR": str(workdir / "blobs")})
        began = time.perf_counter()
        property_id, token = generate(app, total)
        generated = time.perf_counter() - began
        headers = {"Authorization": f"Bearer {token}"}
        month = datetime.now(UTC).strftime("%Y-%m")
        since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
        queries = {
            "list, page 1": "/api/inspections?per_page=50",
            "list, filtered": (f"/api/inspections?property_id={property_id}"
                               f"&checklist=renovation_patrol&date_from={since}&has_failures=true"),
            "list, page 200": "/api/inspections?per_page=50&page=200",
            "list, text search": "/api/inspections?q=防护栏",
            "compliance, month": f"/api/compliance?property_id={property_id}&month={month}",
        }
        rows = []
        with app.app_context():
            client = app.test_client()
            for name, query in queries.items():
                measure(client, headers, query, 2)  # warm
                rows.append((name, *measure(client, headers, query, repeat)))
            from server.core.db import db
            db.engine.dispose()
        return generated, rows
    finally:
        drop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        generated, rows = bench(backend, args.records, args.repeat)
        print(f"\n{backend}: {args.records} records generated in {generated:.1f} s; "
              f"{args.repeat} calls each")
        print(f"{'query':<20}{'p50 ms':>9}{'p99 ms':>9}")
        for name, p50, p99 in rows:
            print(f"{name:<20}{p50:>9.1f}{p99:>9.1f}")


if __name__ == "__main__":
    main()
