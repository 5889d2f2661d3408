"""Server time of a pull (and of the compliance month) on 100,000 records, p50/p99, for this
tree and, in the same run, alternating, for another tree (the code before a change).

    .venv/bin/python bench/pull.py [--records 100000] [--repeat 30] [--rounds 2]
                                   [--against <worktree of the older code>] [--backends sqlite,postgresql]

The records are generated once per backend (bench/workspace_queries.py: 3 properties × 264
households, six months, the published checklists); then each tree is measured in its own
process on that same database, rounds alternating, through the Flask app in-process (no
network), so the figures are the server's own time: queries, the due list, serialisation.

What is measured, as a patrol officer's phone and a supervisor's see it:
- full pull (a phone logging in);
- delta pull with nothing changed since the cursor (the phone's sync every 30–60 s);
- delta pull after a record was stored at the caller's property (the due list is counted again);
- the compliance month of one property, unchanged, and after a record was stored.
Of the generated records, those returned and older than 3 days are made approved first (a
returned record is corrected within days; a full pull sends all of the caller's returned ones).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure_tree(url: str, blob_dir: str, repeat: int) -> dict:
    """Runs in the measured tree's process (``--measure``): its own ``server`` package."""
    import sqlalchemy as sa

    from server import create_app
    from server.checklists.operations import find_version
    from server.core.db import db
    from server.inspections.models import Inspection
    from server.properties.models import Property, Renovation
    from server.users.models import User
    from server.users.operations import issue_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BLOB_DIR": blob_dir})
    results = {}
    with app.app_context():
        patrol = db.session.scalar(sa.select(User).filter_by(username="patrol1"))
        supervisor = db.session.scalar(sa.select(User).filter_by(username="supervisor1"))
        tokens = {who.username: issue_token(who, "bench")[0] for who in (patrol, supervisor)}
        prop = db.session.scalar(sa.select(Property).filter_by(code="binhewan-west"))
        renovation_id = db.session.scalar(sa.select(Renovation.id).filter_by(
            property_id=prop.id, status="active"))
        version_id = find_version("renovation_patrol", 1).id
        patrol_id, property_id = patrol.id, prop.id
        db.session.commit()
        client = app.test_client()

        def store_a_record():
            """A patrol record of now at the property, stored as the push stores it (ORM)."""
            now = datetime.now(UTC)
            db.session.add(Inspection(
                id=uuid.uuid4(), property_id=property_id, checklist_version_id=version_id,
                checklist_code="renovation_patrol", subject_type="renovation",
                subject_id=renovation_id, inspector_id=patrol_id, status="submitted",
                revision=1, answers={"debris": {"value": "pass"}}, has_failures=False,
                started_at_device=now.isoformat(), completed_at_device=now.isoformat(),
                completed_at=now, seal_hash="0" * 64, received_at=now, created_at=now,
                updated_at=now))
            db.session.commit()

        def timed(url, headers, before=None):
            timings = []
            for n in range(repeat + 2):
                if before:
                    before()
                began = time.perf_counter()
                response = client.get(url, headers=headers)
                elapsed = (time.perf_counter() - began) * 1000
                assert response.status_code == 200, (url, response.get_json())
                if n >= 2:  # two warm-up calls
                    timings.append(elapsed)
            return [statistics.median(timings), percentile(timings, 0.99)]

        for username in ("patrol1", "supervisor1"):
            headers = {"Authorization": f"Bearer {tokens[username]}"}
            cursor = client.get("/api/sync/pull", headers=headers).get_json()["cursor"]
            results[f"{username}: full pull"] = timed("/api/sync/pull", headers)
            # Nothing changed for a while: the cursor is older than the overlap minute.
            results[f"{username}: delta, nothing changed"] = timed(
                f"/api/sync/pull?cursor={cursor}", headers)
            results[f"{username}: delta after a record stored"] = timed(
                f"/api/sync/pull?cursor={cursor}", headers, before=store_a_record)
        headers = {"Authorization": f"Bearer {tokens['supervisor1']}"}
        month = datetime.now(UTC).strftime("%Y-%m")
        compliance = f"/api/compliance?property_id={property_id}&month={month}"
        results["compliance month"] = timed(compliance, headers)
        results["compliance month after a record stored"] = timed(compliance, headers,
                                                                  before=store_a_record)
        db.engine.dispose()
    return results


def run_tree(tree: Path, url: str, blob_dir: str, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", url, "--blob-dir", blob_dir,
         "--repeat", str(repeat)], cwd=tree, env=env, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--against", type=Path, help="another worktree, measured alternately")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--blob-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_tree(args.measure, args.blob_dir, args.repeat)))
        return

    sys.path.insert(0, str(REPO))
    from bench.sync_push import make_database
    from bench.workspace_queries import generate
    from server import create_app
    trees = [("this tree", REPO)] + ([("against", args.against.resolve())] if args.against
                                     else [])
    for backend in args.backends.split(","):
        workdir = Path(tempfile.mkdtemp(prefix=f"xuncha-pull-{backend}-"))
        url, drop = make_database(backend, workdir)
        try:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BLOB_DIR": str(workdir / "blobs")})
            generate(app, args.records)
            with app.app_context():
                import sqlalchemy as sa

                from server.core.db import db
                from server.inspections.models import Inspection
                # The generated history leaves a quarter of all records returned for ever; on
                # a running site a returned record is corrected within days. A full pull
                # sends the caller's returned records, so keep only the last 3 days' returned.
                db.session.execute(sa.update(Inspection).where(
                    Inspection.status == "returned",
                    Inspection.completed_at < datetime.now(UTC) - timedelta(days=3))
                    # (its own time stays: the rows must not look changed to a delta pull)
                    .values(status="approved", updated_at=Inspection.updated_at))
                db.session.commit()
                db.engine.dispose()
            figures: dict[str, dict[str, list]] = {}
            loads = []
            for round_no in range(args.rounds):
                order = trees if round_no % 2 == 0 else list(reversed(trees))
                for name, tree in order:
                    loads.append(f"{name} {load_average()}")
                    for what, (p50, p99) in run_tree(tree, url, str(workdir / "blobs"),
                                                     args.repeat).items():
                        figures.setdefault(what, {}).setdefault(name, []).append((p50, p99))
            print(f"\n{backend}: {args.records} records, {args.repeat} calls each, "
                  f"{args.rounds} rounds alternating; load average (1/5/15 min) at each start: "
                  + "; ".join(loads))
            header = "".join(f"{name + ' p50/p99 ms':>30}" for name, _ in trees)
            print(f"{'what':<45}{header}" + (f"{'p50 ratio':>11}" if len(trees) > 1 else ""))
            for what, by_tree in figures.items():
                cells = []
                medians = {}
                for name, _ in trees:
                    rounds = by_tree[name]
                    p50 = statistics.median(r[0] for r in rounds)
                    p99 = max(r[1] for r in rounds)
                    medians[name] = p50
                    cells.append(f"{p50:>19.1f} / {p99:>8.1f}")
                ratio = (f"{medians['against'] / medians['this tree']:>10.1f}×"
                         if len(trees) > 1 else "")
                print(f"{what:<45}" + "".join(f"{c:>30}" for c in cells) + ratio)
        finally:
            drop()


if __name__ == "__main__":
    main()
