"""The /p/{pid}/... delivery routes, for the app to mount: ``routes += delivery_routes(rt)``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vpaas.delivery import play_manifest, raw, thumbnail
from vpaas.delivery.common import Delivery, endpoint
from vpaas.delivery.files import plain_error
from vpaas.runtime import Runtime

METHODS = ["GET", "HEAD"]
DELIVERY_KEY = "vpaas.delivery"


def delivery_routes(runtime: Runtime) -> list[Route]:
    """One route, ``/p/{pid}/[sp/{spid}/]{action}/...``, dispatching playManifest,
    serveFlavor, raw, download and thumbnail by name (a dictionary lookup instead of a regex
    per action). The shared :class:`Delivery` state is kept in
    ``runtime.extras["vpaas.delivery"]``."""
    delivery = Delivery(runtime)
    runtime.extras[DELIVERY_KEY] = delivery

    async def manifest(request: Request) -> Response:
        return await play_manifest.play_manifest(delivery, request)

    handlers = {"thumbnail": thumbnail.bind(delivery),
                "playManifest": endpoint(manifest), **raw.bind(delivery)}

    async def dispatch(request: Request) -> Response:
        rest = request.path_params["rest"]
        if rest.startswith("sp/"):
            _, _, rest = rest[3:].partition("/")
        action, _, tail = rest.partition("/")
        handler = handlers.get(action)
        if handler is None:
            return plain_error(404, "Not found")
        request.path_params["rest"] = tail
        return await handler(request)

    return [Route("/p/{pid:int}/{rest:path}", dispatch, methods=METHODS)]
