"""The /p/{pid}/... delivery routes, for the app to mount: ``routes += delivery_routes(rt)``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

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
            rest = rest[3:].partition("/")[2]
        action, _, tail = rest.partition("/")
        handler = handlers.get(action)
        if handler is None:
            return plain_error(404, "Not found")
        request.path_params["rest"] = tail
        return await handler(request)

    return [DeliveryRoute("/p/{pid:int}/{rest:path}", dispatch, methods=METHODS,
                          actions=frozenset(handlers))]


def action_of(rest: str) -> str:
    """The action name of ``[sp/{spid}/]{action}/...``."""
    if rest.startswith("sp/"):
        rest = rest[3:].partition("/")[2]
    return rest.partition("/")[0]


class DeliveryRoute(Route):
    """``/p/{pid}/...`` for the delivery actions only: other ``/p/`` routes (embed loaders)
    still match wherever they are mounted."""

    def __init__(self, path: str, endpoint: Any, *, methods: list[str],
                 actions: frozenset[str]) -> None:
        super().__init__(path, endpoint, methods=methods)
        self.actions = actions

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match != Match.NONE and action_of(child["path_params"]["rest"]) not in self.actions:
            return Match.NONE, {}
        return match, child
