"""media.list latency on a 100,000-entry library, and media.get throughput against a bare
JSON endpoint, over real HTTP, on SQLite and on PostgreSQL (fresh database each).

In one run, per backend:
  1. build the library: ``--count`` entries bulk-inserted with SQLAlchemy Core (realistic
     names, tags, descriptions; 92 % READY) plus their freeText documents, written straight
     into the search index tables in batches; 20 categories (category.add over HTTP) with
     every entry placed in one of them (category_entry rows bulk-inserted); after each bulk
     insert, what follows any bulk import (:func:`settle`): ANALYZE, and on PostgreSQL
     VACUUM (autovacuum's work, which lets counts read only indexes);
  2. start ``vpaas serve`` (no workers) on that data dir and send sequential requests on one
     keep-alive connection (as the official clients do): media.list filtered (mediaType +
     createdAt range, -createdAt), freeText (typical words), category
     (categoriesIdsMatchOr), the unfiltered default list, and freeText on very common
     words (matching a third to all of the library); p50 / p99 of each (goal: p50 < 20 ms);
  3. media.get requests/s vs a bare Starlette JSON endpoint (same uvicorn settings, a body of
     the same size) started the same way; the ratio (goal >= 0.5).

    .venv/bin/python bench/media_list.py [--count 100000] [--backends sqlite,postgresql]
        [--requests 300] [--pg-url postgresql://postgres@127.0.0.1:5432/test]

Writes bench/results/media_list.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, insert, select, text

from vpaas.db.base import Database
from vpaas.db.search import SearchIndex, layout, tsvector_text
from vpaas.db.tables.category import CategoryEntryRow, CategoryRow
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import sessions
from vpaas.domain.partners import create_partner
from vpaas.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "media_list.json"
VPAAS = ROOT / ".venv" / "bin" / "vpaas"
T0 = 1_600_000_000
BATCH = 5000
CATEGORIES = 20
GOAL_SCENARIOS = ("filtered", "freeText", "category", "default")
"""The lists the p50 goal covers; "common" (words in a third to all entries) is reported only."""
UVICORN: dict[str, Any] = {"log_level": "warning", "access_log": False, "timeout_keep_alive": 30}
"""The uvicorn settings of ``vpaas serve`` (vpaas/cli), used for the bare endpoint too."""


# --- the library ----------------------------------------------------------------------------

class Words:
    """A deterministic vocabulary: pronounceable words, some frequent, most rare."""

    def __init__(self, rng: random.Random, size: int = 3000) -> None:
        syllables = ["ka", "lo", "mi", "ne", "ra", "tu", "vo", "zi", "pe", "sa", "do", "gu"]
        words: set[str] = set()
        while len(words) < size:
            words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
        self.all = sorted(words)
        self.rng = rng

    def pick(self, n: int) -> list[str]:
        # Zipf-like: low indexes are much more frequent
        return [self.all[min(int(self.rng.paretovariate(1.1)) - 1, len(self.all) - 1)]
                for _ in range(n)]


def entry_rows(partner_id: int, count: int, seed: int = 42) -> Iterator[list[dict[str, Any]]]:
    """Entry rows in batches of :data:`BATCH`."""
    rng = random.Random(seed)
    words = Words(rng)
    batch: list[dict[str, Any]] = []
    for i in range(count):
        status = 2 if rng.random() < 0.92 else rng.choice((7, 1))
        media_type = rng.choices((1, 5, 2), (70, 20, 10))[0]
        batch.append({
            "id": f"0_{i:08x}", "partner_id": partner_id, "type": 1, "status": status,
            "media_type": media_type, "name": " ".join(words.pick(3)).title(),
            "description": " ".join(words.pick(12)), "tags": ",".join(words.pick(3)),
            "user_id": f"user{rng.randint(1, 50)}", "reference_id": f"ref-{i}",
            "duration_ms": rng.randint(5_000, 3_600_000), "created_at": T0 + i * 30,
            "updated_at": T0 + i * 30, "plays": rng.randint(0, 5000), "extra": {},
            "source_type": 1, "moderation_status": 6, "display_in_search": 1,
        })
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def index_rows(conn: Connection, rows: list[dict[str, Any]], first_key: int) -> None:
    """The freeText documents of ``rows`` (as ``reindex_entry`` builds them), in bulk."""
    index = SearchIndex(conn.dialect.name)
    docs = [layout(index.fields, {"name": r["name"], "tags": r["tags"],
                                  "description": r["description"],
                                  "ids": [r["id"], r["reference_id"]]}) for r in rows]
    if index.dialect == "postgresql":
        conn.execute(text(f"INSERT INTO {index.table} (partner_id, object_id, document) "
                          "VALUES (:pid, :oid, CAST(:doc AS tsvector))"),
                     [{"pid": r["partner_id"], "oid": r["id"], "doc": tsvector_text(d)}
                      for r, d in zip(rows, docs, strict=True)])
        return
    keys = [{"id": first_key + n, "pid": r["partner_id"], "oid": r["id"]}
            for n, r in enumerate(rows)]
    conn.execute(text(f"INSERT INTO {index.table}_key (id, partner_id, object_id) "
                      "VALUES (:id, :pid, :oid)"), keys)
    names = ", ".join(index.fields)
    slots = ", ".join(f":f{i}" for i in range(len(index.fields)))
    conn.execute(text(f"INSERT INTO {index.table}_fts (rowid, {names}) VALUES (:key, {slots})"),
                 [{"key": k["id"], **{f"f{i}": " ".join(t) for i, t in enumerate(d)}}
                  for k, d in zip(keys, docs, strict=True)])


def build_library(db: Database, partner_id: int, count: int) -> float:
    """Insert ``count`` entries and their search documents; seconds taken."""
    start = time.perf_counter()
    done = 0
    for rows in entry_rows(partner_id, count):
        with db.engine.begin() as conn:
            conn.execute(insert(EntryRow), rows)
            index_rows(conn, rows, done + 1)
        done += len(rows)
    return time.perf_counter() - start


def place_in_categories(db: Database, partner_id: int, category_ids: list[int],
                        count: int) -> None:
    """Every entry in one category (round robin), as category_entry rows."""
    with db.engine.begin() as conn:
        full = dict(conn.execute(select(CategoryRow.id, CategoryRow.full_ids)
                                 .where(CategoryRow.id.in_(category_ids))).all())
        for start in range(0, count, BATCH):
            conn.execute(insert(CategoryEntryRow), [
                {"partner_id": partner_id, "category_id": category_ids[i % len(category_ids)],
                 "entry_id": f"0_{i:08x}", "status": 2, "created_at": T0, "updated_at": T0,
                 "category_full_ids": full[category_ids[i % len(category_ids)]]}
                for i in range(start, min(count, start + BATCH))])


def settle(db: Database) -> None:
    """After a bulk import: planner statistics (without them SQLite drives a freeText query
    from the partner index and scans the library) and, on PostgreSQL, VACUUM so that counts
    read only indexes (the visibility map; autovacuum does both within a minute or so)."""
    if db.is_sqlite:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


# --- servers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(cmd: list[str], env: dict[str, str], ping: str, log: Path) -> Iterator[int]:
    """Run a server process until the block ends; yields its PID."""
    with open(log, "ab") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{cmd[:2]} exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(ping, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer from {ping}")
            time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bare_app(body: bytes) -> Any:
    """A Starlette app answering every POST/GET with ``body`` as JSON."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def answer(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])


def run_bare(port: int, body_file: Path) -> None:
    """``--bare-server``: serve the bare endpoint with vpaas serve's uvicorn settings."""
    import uvicorn

    uvicorn.run(bare_app(body_file.read_bytes()), host="127.0.0.1", port=port, **UVICORN)


# --- measuring -------------------------------------------------------------------------------

def latencies(client: httpx.Client, url: str, bodies: list[dict[str, Any]],
              warmup: int = 10) -> list[float]:
    """Seconds per request, sequential, cycling through ``bodies``."""
    out = []
    for n in range(warmup + len(bodies)):
        body = bodies[n % len(bodies)]
        start = time.perf_counter()
        resp = client.post(url, json=body)
        elapsed = time.perf_counter() - start
        result = resp.json()
        if resp.status_code != 200 or (isinstance(result, dict)
                                       and result.get("objectType") == "KalturaAPIException"):
            raise RuntimeError(f"{url}: {resp.status_code} {resp.text[:300]}")
        if n >= warmup:
            out.append(elapsed)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
            "n": len(ordered)}


def list_scenarios(ks: str, count: int, category_ids: list[int],
                   requests: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(7)
    words = Words(random.Random(42))
    span = count * 30

    def body(**flt: Any) -> dict[str, Any]:
        return {"ks": ks, "format": 1, "filter": {"objectType": "KalturaMediaEntryFilter",
                                                   **flt},
                "pager": {"objectType": "KalturaFilterPager", "pageSize": 30}}

    filtered = [body(mediaTypeEqual=1, orderBy="-createdAt",
                     createdAtGreaterThanOrEqual=T0 + rng.randint(0, span // 2))
                for _ in range(requests)]
    # words ranked 20-1000 of a Zipf vocabulary: each matches from a few to a few
    # thousand entries (the top words match nearly every entry: see the "common" row)
    free_text = [body(freeText=" ".join(words.all[rng.randint(20, 1000)]
                                        for _ in range(rng.randint(1, 2))))
                 for _ in range(requests)]
    common = [body(freeText=words.all[rng.randint(1, 10)]) for _ in range(max(20, requests // 10))]
    category = [body(categoriesIdsMatchOr=str(rng.choice(category_ids)))
                for _ in range(requests)] if category_ids else []
    plain = [body()] * requests
    out = {"filtered": filtered, "freeText": free_text, "common": common, "default": plain}
    if category:
        out["category"] = category
    return out


def throughput(client: httpx.Client, url: str, body: dict[str, Any], n: int) -> float:
    """Sequential requests per second (after 50 warm-up requests)."""
    for _ in range(50):
        client.post(url, json=body).raise_for_status()
    start = time.perf_counter()
    for _ in range(n):
        resp = client.post(url, json=body)
        resp.raise_for_status()
    return n / (time.perf_counter() - start)


# --- one backend -----------------------------------------------------------------------------

@contextmanager
def database_url(backend: str, pg_url: str) -> Iterator[str]:
    if backend == "sqlite":
        yield ""
        return
    import psycopg

    name = "vpaas_bench_" + secrets.token_hex(4)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_backend(backend: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    with database_url(backend, args.pg_url) as url:
        data = tmp / backend
        settings = load_settings(env={}, data_dir=str(data), database_url=url or None)
        data.mkdir(parents=True)
        from vpaas.db import migrate

        db = Database(settings.resolved_database_url)
        migrate.upgrade(db)
        with db.system_session() as s:
            partner = create_partner(s, "bench")
            s.commit()
        build_s = build_library(db, partner.id, args.count)
        settle(db)
        print(f"[{backend}] built {args.count} entries in {build_s:.1f} s", flush=True)
        ks = sessions.issue(partner, sessions.ADMIN, "admin", 86400, "", 86400)
        env = {**os.environ, "VPAAS_WORKERS": "0", "VPAAS_LOG_LEVEL": "warning"}
        if url:
            env["VPAAS_DATABASE_URL"] = url
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [str(VPAAS), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--data-dir", str(data)]
        with server(cmd, env, f"{base}/api_v3/service/system/action/ping", tmp / "serve.log"):
            result = measure(db, partner.id, ks, base, args, tmp)
        db.dispose()
    return {"backend": backend, "entries": args.count, "build_s": round(build_s, 1), **result}


def measure(db: Database, partner_id: int, ks: str, base: str, args: argparse.Namespace,
            tmp: Path) -> dict[str, Any]:
    api = f"{base}/api_v3/service"
    with httpx.Client(timeout=60) as client:
        category_ids = make_categories(client, api, ks)
        place_in_categories(db, partner_id, category_ids, args.count)
        settle(db)
        lists = {}
        for name, bodies in list_scenarios(ks, args.count, category_ids,
                                           args.requests).items():
            lists[name] = summary(latencies(client, f"{api}/media/action/list", bodies))
            print(f"  media.list {name:9} {lists[name]}", flush=True)
        get_body = {"ks": ks, "format": 1, "entryId": f"0_{args.count // 2:08x}"}
        sample = client.post(f"{api}/media/action/get", json=get_body)
        body_file = tmp / "get.json"
        body_file.write_bytes(sample.content)
        get_rps = throughput(client, f"{api}/media/action/get", get_body, args.get_requests)
    port = free_port()
    cmd = [sys.executable, __file__, "--bare-server", str(port), "--body", str(body_file)]
    with server(cmd, dict(os.environ), f"http://127.0.0.1:{port}/ping", tmp / "bare.log"), \
            httpx.Client(timeout=60) as client:
        bare_rps = throughput(client, f"http://127.0.0.1:{port}/x", get_body,
                              args.get_requests)
    return {"media_list": lists, "media_get_rps": round(get_rps),
            "bare_json_rps": round(bare_rps), "get_vs_bare": round(get_rps / bare_rps, 3),
            "get_body_bytes": len(sample.content), "categories": len(category_ids)}


def make_categories(client: httpx.Client, api: str, ks: str) -> list[int]:
    """category.add over HTTP: a root and its children; their ids."""
    def add(cat: dict[str, Any]) -> int:
        body = {"ks": ks, "format": 1, "category": {"objectType": "KalturaCategory", **cat}}
        return int(client.post(f"{api}/category/action/add", json=body).json()["id"])

    try:
        root = add({"name": "Library"})
    except (KeyError, ValueError):
        return []  # no category service
    return [add({"name": f"Topic {i}", "parentId": root}) for i in range(CATEGORIES - 1)] \
        + [root]


# --- main ------------------------------------------------------------------------------------

def print_table(runs: list[dict[str, Any]]) -> None:
    print()
    print(f"{'backend':11} {'entries':>8} {'build s':>8} {'scenario':10} {'p50 ms':>7} "
          f"{'p99 ms':>7}  goal p50<20ms")
    for run in runs:
        for name, stats in run["media_list"].items():
            ok = "ok" if stats["p50_ms"] < 20 else "MISSED"
            if name not in GOAL_SCENARIOS:
                ok = f"({ok}; outside the goal)"
            print(f"{run['backend']:11} {run['entries']:>8} {run['build_s']:>8} {name:10} "
                  f"{stats['p50_ms']:>7} {stats['p99_ms']:>7}  {ok}")
    print()
    print(f"{'backend':11} {'media.get/s':>12} {'bare JSON/s':>12} {'ratio':>6}  goal >= 0.5")
    for run in runs:
        ok = "ok" if run["get_vs_bare"] >= 0.5 else "MISSED"
        print(f"{run['backend']:11} {run['media_get_rps']:>12} {run['bare_json_rps']:>12} "
              f"{run['get_vs_bare']:>6}  {ok}")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """CLI (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--get-requests", type=int, default=2000)
    parser.add_argument("--pg-url", default=os.environ.get(
        "VPAAS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--body", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        run_bare(args.bare_server, args.body)
        return
    signal.signal(signal.SIGTERM, _interrupt)  # stop the servers on kill, too
    runs = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix=f"vpaas-list-{backend}-") as tmp:
            runs.append(run_backend(backend.strip(), args, Path(tmp)))
    print_table(runs)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "runs": runs}, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
