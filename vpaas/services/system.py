"""system: liveness, clock and version."""

from __future__ import annotations

import time

from vpaas import __version__
from vpaas.context import CallContext
from vpaas.registry import Service
from vpaas.registry.model import KsRule

system = Service("system", """Health checks and server information.""")


@system.action(ks=KsRule.NONE)
def ping(ctx: CallContext) -> bool:
    """Answer true when the server is up."""
    return True


@system.action(ks=KsRule.NONE)
def getTime(ctx: CallContext) -> int:
    """The server's current time, in unix seconds."""
    return int(time.time())


@system.action(ks=KsRule.NONE)
def getVersion(ctx: CallContext) -> str:
    """The server's version."""
    return __version__
