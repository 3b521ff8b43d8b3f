"""The ``vpaas`` command: serve, worker, partner, ks, db, schema, nginx-conf."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import click

from vpaas.settings import load_settings


def _settings(data_dir: str | None = None, **overrides: Any) -> Any:
    return load_settings(data_dir=data_dir, **overrides)


def _runtime(data_dir: str | None) -> Any:
    from vpaas.app import build_runtime

    return build_runtime(_settings(data_dir))


data_dir_option = click.option("--data-dir", default=None, envvar="VPAAS_DATA_DIR",
                               help="Data directory (SQLite database, media, uploads).")


@click.group()
@click.version_option(package_name="vpaas")
def main() -> None:
    """vpaas: a self-hosted video platform that speaks the Kaltura API v3."""


@main.command()
@click.option("--host", default=None, help="Listen address (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Listen port (default 8080).")
@data_dir_option
def serve(host: str | None, port: int | None, data_dir: str | None) -> None:
    """Run the HTTP server (API, delivery, embedded workers)."""
    import uvicorn

    from vpaas.app import build_runtime, create_app
    from vpaas.cli.first_run import ensure_first_partner

    settings = _settings(data_dir, host=host, port=port)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    runtime = build_runtime(settings)
    ensure_first_partner(runtime, f"http://{settings.host}:{settings.port}")
    app = create_app(settings, runtime)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                access_log=False, timeout_keep_alive=30)


@main.command()
@click.option("--concurrency", default=2, type=int, help="Jobs run at once.")
@data_dir_option
def worker(concurrency: int, data_dir: str | None) -> None:
    """Run background jobs (transcoding, imports, ...) until stopped.

    With VPAAS_QUEUE_URL set to redis:// or amqp:// this is a Celery worker; otherwise it polls
    the job table.
    """
    from vpaas.app import build_job_runtime
    from vpaas.jobs import run_worker

    settings = _settings(data_dir)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    job_runtime = build_job_runtime(settings)
    run_worker(settings, job_runtime.handlers, job_runtime.deps, concurrency)


@main.group()
def partner() -> None:
    """Create and list partners (tenants)."""


@partner.command("create")
@click.option("--name", required=True, help="Partner name.")
@click.option("--email", default=None, help="Administrator e-mail.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@data_dir_option
def partner_create(name: str, email: str | None, as_json: bool, data_dir: str | None) -> None:
    """Create a partner with fresh admin and user secrets."""
    from vpaas.domain.partners import create_partner

    runtime = _runtime(data_dir)
    with runtime.db.system_session() as session:
        row = create_partner(session, name, email)
        session.commit()
        out = {"id": row.id, "name": row.name, "adminSecret": row.admin_secret,
               "secret": row.secret}
    if as_json:
        click.echo(json.dumps(out))
    else:
        for key, value in out.items():
            click.echo(f"{key}: {value}")


@partner.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@data_dir_option
def partner_list(as_json: bool, data_dir: str | None) -> None:
    """List partners (secrets are not shown)."""
    from vpaas.domain.partners import list_partners

    runtime = _runtime(data_dir)
    with runtime.db.system_session() as session:
        rows = [{"id": r.id, "name": r.name, "status": r.status} for r in
                list_partners(session)]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for r in rows:
        click.echo(f"{r['id']}\t{r['name']}\tstatus={r['status']}")


@main.command()
@click.option("--partner", "partner_id", required=True, type=int, help="Partner id.")
@click.option("--admin", is_flag=True, help="ADMIN session (default USER).")
@click.option("--user", "user_id", default="", help="User id.")
@click.option("--privileges", default="", help="Comma separated privileges.")
@click.option("--expiry", default=86400, type=int, help="Lifetime in seconds.")
@data_dir_option
def ks(partner_id: int, admin: bool, user_id: str, privileges: str, expiry: int,
       data_dir: str | None) -> None:
    """Print a KS signed with the partner's admin secret."""
    from vpaas.domain import sessions
    from vpaas.domain.partners import get_partner

    runtime = _runtime(data_dir)
    with runtime.db.system_session() as session:
        row = get_partner(session, partner_id)
    if row is None:
        click.echo(f"partner {partner_id} not found", err=True)
        sys.exit(1)
    click.echo(sessions.issue(row, sessions.ADMIN if admin else sessions.USER, user_id, expiry,
                              privileges, max(expiry, 1)))


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@data_dir_option
def db_upgrade(data_dir: str | None) -> None:
    """Apply pending migrations."""
    started = time.perf_counter()
    _runtime(data_dir)
    click.echo(f"database is up to date ({time.perf_counter() - started:.2f}s)")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["xml", "openapi"]), default="xml")
def schema(fmt: str) -> None:
    """Print the API schema (Kaltura XML or OpenAPI 3.1)."""
    from vpaas.app import registry
    from vpaas.schema.openapi import openapi_document
    from vpaas.schema.xml import api_schema_xml

    if fmt == "xml":
        click.echo(api_schema_xml(registry()))
    else:
        click.echo(json.dumps(openapi_document(registry(), "http://127.0.0.1:8080/"), indent=1))


@main.command("nginx-conf")
@click.option("--listen", default="80", show_default=True, help="nginx listen: PORT or HOST:PORT.")
@click.option("--upstream", "upstreams", multiple=True,
              help="A vpaas process as HOST:PORT (repeat; default this server's host:port).")
@click.option("--cache-dir", default=None, help="nginx proxy cache (default <data>/cache/nginx).")
@click.option("--cache-size", default="10g", show_default=True, help="Cache size cap.")
@data_dir_option
def nginx_conf(listen: str, upstreams: tuple[str, ...], cache_dir: str | None, cache_size: str,
               data_dir: str | None) -> None:
    """Print an nginx front (cache + X-Accel-Redirect) for this data dir (docs/delivery.md)."""
    from pathlib import Path

    from vpaas.adapters.storage import open_storage
    from vpaas.delivery.front import FrontConfig

    settings = _settings(data_dir)
    data = Path(settings.data_path).resolve()
    root = getattr(open_storage(settings, create_bucket=False), "root", data / "media")
    config = FrontConfig(media_root=Path(root).resolve(), thumbs_root=data / "cache" / "thumbs",
                         cache_dir=Path(cache_dir).resolve() if cache_dir else
                         data / "cache" / "nginx",
                         prefix=settings.accel_redirect or "/_vpaas_media/", listen=listen,
                         upstreams=upstreams or (f"{settings.host}:{settings.port}",),
                         cache_size=cache_size)
    try:
        text = config.render()
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    for folder in (config.cache_dir, config.thumbs_root):  # nginx makes only the last level
        folder.mkdir(parents=True, exist_ok=True)
    click.echo(text, nl=False)
