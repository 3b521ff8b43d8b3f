"""The /p/{pid}/... delivery routes, for the app to mount: ``routes += delivery_routes(rt)``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vpaas.delivery import play_manifest, raw, thumbnail
from vpaas.delivery.common import Delivery, endpoint
from vpaas.runtime import Runtime

METHODS = ["GET", "HEAD"]
DELIVERY_KEY = "vpaas.delivery"


def delivery_routes(runtime: Runtime) -> list[Route]:
    """Routes of playManifest, serveFlavor, raw, download and thumbnail, with and without
    the ``/sp/{spid}`` part. The shared :class:`Delivery` state is kept in
    ``runtime.extras["vpaas.delivery"]``."""
    delivery = Delivery(runtime)
    runtime.extras[DELIVERY_KEY] = delivery

    async def manifest(request: Request) -> Response:
        return await play_manifest.play_manifest(delivery, request)

    handlers = {"playManifest": endpoint(manifest), "thumbnail": thumbnail.bind(delivery),
                **raw.bind(delivery)}
    routes = []
    for name, handler in handlers.items():
        for prefix in ("/p/{pid:int}/sp/{spid:int}", "/p/{pid:int}"):
            routes.append(Route(f"{prefix}/{name}/{{rest:path}}", handler, methods=METHODS,
                                name=None))
    return routes
