"""Load: many phones pulling and pushing for several minutes against the production setup
(gunicorn, several workers, PostgreSQL), from this separate process on loopback.

    .venv/bin/python bench/load.py [--devices 200] [--seconds 180] [--workers 3]

Each simulated phone loops: delta pull with its cursor, push one sealed record, upload one
small photo, then waits 1–3 s (a phone does not hammer). Reports requests/s, p50/p99 per kind,
error count, and the server's memory (RSS of all gunicorn processes) at the start, every 30 s
and at the end. Bounded in time; stops by itself.
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.chaos import ServerProcesses, photo  # noqa: E402
from bench.sync_push import free_port, make_database, percentile, record_body, seed  # noqa: E402


def server_rss_mb(root_pid: int) -> float:
    """Resident memory of gunicorn's master and workers, from /proc."""
    pids = [root_pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().split()
                if int(fields[3]) == root_pid:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--backend", default="postgresql", choices=("sqlite", "postgresql"))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="xuncha-load-"))
    url, drop = make_database(args.backend, workdir)
    server = None
    try:
        _app, tokens, ids = seed(url, workdir, args.devices)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "XUNCHA_BLOB_DIR": str(workdir / "blobs")}
        server = ServerProcesses(port, env, args.workers)
        server.start()
        samples = {"pull": [], "push": [], "photo": []}
        errors: list[str] = []
        lock = threading.Lock()
        memory = [(0, server_rss_mb(server.process.pid))]
        photos = [photo(n) for n in range(40)]

        def timed(connection, kind, method, path, body=None, headers=None):
            began = time.perf_counter()
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            with lock:
                samples[kind].append(time.perf_counter() - began)
                if response.status != 200:
                    errors.append(f"{kind} {response.status}")
            return data

        # Sealing is the phone's work, not the server's: prepare every phone's records first so
        # the load generator spends its CPU on sending them.
        per_phone = args.seconds // 2 + 5
        prepared = []
        for username, _token in tokens:
            bodies = []
            for n in range(per_phone):
                record_id = str(uuid.uuid4())
                bodies.append((record_id, json.dumps(record_body(record_id, username, ids, n))
                               .encode()))
            prepared.append(bodies)
        stop_at = time.monotonic() + args.seconds

        def phone(index: int):
            username, token = tokens[index]
            rng = random.Random(index)
            auth = {"Authorization": f"Bearer {token}"}
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            cursor = None
            n = 0
            time.sleep(rng.uniform(0, 3))  # phones do not all start in the same second
            while time.monotonic() < stop_at:
                try:
                    pulled = json.loads(timed(connection, "pull", "GET", "/api/sync/pull" + (
                        f"?cursor={cursor}" if cursor else ""), headers=auth))
                    cursor = pulled.get("cursor", cursor)
                    record_id, body = prepared[index][n % per_phone]
                    timed(connection, "push", "PUT", f"/api/inspections/{record_id}", body,
                          {**auth, "Content-Type": "application/json"})
                    data = rng.choice(photos)
                    timed(connection, "photo", "PUT",
                          f"/api/blobs/{hashlib.sha256(data).hexdigest()}?kind=photo", data,
                          {**auth, "Content-Type": "image/jpeg"})
                    n += 1
                except (OSError, http.client.HTTPException, ValueError) as error:
                    with lock:
                        errors.append(type(error).__name__)
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                time.sleep(rng.uniform(1, 3))
            connection.close()

        threads = [threading.Thread(target=phone, args=(i,), daemon=True)
                   for i in range(args.devices)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            time.sleep(1)
            elapsed = time.monotonic() - began
            if elapsed // 30 > (memory[-1][0] // 30):
                memory.append((int(elapsed), server_rss_mb(server.process.pid)))
        elapsed = time.monotonic() - began
        memory.append((int(elapsed), server_rss_mb(server.process.pid)))
        total = sum(len(v) for v in samples.values())
        print(f"\n{args.devices} phones for {elapsed:.0f} s against gunicorn {args.workers} "
              f"workers × 4 threads on {args.backend}, {os.cpu_count()} CPUs")
        print(f"requests: {total} ({total / elapsed:.1f}/s), errors: {len(errors)}"
              + (f" {sorted(set(errors))[:5]}" if errors else ""))
        print(f"{'kind':<7}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}")
        for kind, values in samples.items():
            if values:
                print(f"{kind:<7}{len(values):>7}{statistics.median(values) * 1000:>9.1f}"
                      f"{percentile(values, 0.99) * 1000:>9.1f}")
        print("server RSS MB over time: " + ", ".join(f"{t}s {mb:.0f}" for t, mb in memory))
    finally:
        if server:
            server.stop()
        drop()


if __name__ == "__main__":
    main()
