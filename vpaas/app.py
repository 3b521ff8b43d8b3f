"""create_app(settings): build the adapters once, mount the API, delivery and console."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vpaas.adapters.queue import open_queue
from vpaas.adapters.storage import open_storage
from vpaas.api.http import ApiEndpoint
from vpaas.api.middleware import EdgeMiddleware
from vpaas.db import migrate
from vpaas.db.base import Database
from vpaas.delivery.embed import embed_routes
from vpaas.delivery.routes import delivery_routes
from vpaas.delivery.tus import tus_routes
from vpaas.domain import uploads
from vpaas.domain.sessions import PartnerCache
from vpaas.jobs import QUEUE_INFO_KEY, JobRuntime, WorkerPool
from vpaas.jobs.handlers import build_handlers
from vpaas.registry.build import Registry, build_registry
from vpaas.runtime import Runtime
from vpaas.schema.openapi import openapi_document
from vpaas.schema.xml import api_schema_xml
from vpaas.settings import Settings

log = logging.getLogger("vpaas")
_REGISTRY: list[Registry] = []


def registry() -> Registry:
    """The registry is built from declarations once per process; it is immutable."""
    if not _REGISTRY:
        _REGISTRY.append(build_registry())
    return _REGISTRY[0]


def build_runtime(settings: Settings, *, upgrade_db: bool = True) -> Runtime:
    settings.data_path.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    if upgrade_db:
        migrate.upgrade(db)
        migrate.refresh_statistics(db)
    runtime = Runtime(settings=settings, db=db, registry=registry(),
                      storage=open_storage(settings), queue=open_queue(settings))
    runtime.partners = PartnerCache(db)
    db.session_info[QUEUE_INFO_KEY] = runtime.queue
    return runtime


def build_job_runtime(settings: Settings | None = None) -> JobRuntime:
    """What ``vpaas worker`` and Celery workers run: the database, handlers and adapters."""
    from vpaas.settings import load_settings

    runtime = build_runtime(settings or load_settings(), upgrade_db=False)
    return JobRuntime(runtime.db, build_handlers(), runtime)


def embedded_workers(runtime: Runtime) -> WorkerPool | None:
    """Worker threads inside ``vpaas serve``, unless jobs go through Celery."""
    settings = runtime.settings
    if settings.queue_url or settings.workers <= 0:
        return None
    return WorkerPool(runtime.db, build_handlers(), runtime, settings.workers,
                      queue=runtime.queue)


HOUSEKEEPING_SECONDS = 600


async def housekeeping(runtime: Runtime) -> None:
    """Periodic chores of a running server: expire idle upload tokens and their bytes, keep
    the query planner's statistics fresh."""
    while True:
        await asyncio.sleep(HOUSEKEEPING_SECONDS)
        try:
            expired = await run_in_threadpool(uploads.expire_idle_tokens, runtime.db,
                                              runtime.settings)
            await run_in_threadpool(migrate.refresh_statistics, runtime.db)
            if expired:
                log.info("expired %d idle upload tokens", expired)
        except Exception:
            log.exception("housekeeping failed")


def create_app(settings: Settings, runtime: Runtime | None = None) -> Starlette:
    runtime = runtime or build_runtime(settings)
    api = ApiEndpoint(runtime).handle
    methods = ["GET", "POST", "HEAD"]

    async def schema_xml(_: Request) -> Response:
        return Response(api_schema_xml(runtime.registry), media_type="text/xml")

    async def schema_openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(runtime.registry, str(request.base_url)))

    routes: list[Any] = [
        *delivery_routes(runtime),
        Route("/api_v3/api_schema.php", schema_xml, methods=methods),
        Route("/api_v3/openapi.json", schema_openapi, methods=methods),
        Route("/api_v3", api, methods=methods),
        Route("/api_v3/{rest:path}", api, methods=methods),
        Route("/api/{rest:path}", api, methods=methods),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        workers = embedded_workers(runtime)
        if workers:
            workers.start()
        chores = asyncio.create_task(housekeeping(runtime))
        try:
            yield
        finally:
            chores.cancel()
            if workers:
                workers.stop()
            runtime.queue.close()
            runtime.db.dispose()

    routes += tus_routes(runtime) + embed_routes(runtime)
    app = Starlette(routes=routes, middleware=[Middleware(EdgeMiddleware)], lifespan=lifespan)
    app.state.runtime = runtime
    return app
