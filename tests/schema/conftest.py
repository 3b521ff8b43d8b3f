"""Registries for the schema tests: the real one, and one with throwaway declarations.

No ``from __future__ import annotations`` here: the throwaway declarations live inside a
function, so their annotations must be real objects for the registry to resolve them.
"""

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated

import pytest

from vpaas.app import registry as app_registry
from vpaas.context import CallContext
from vpaas.objects.common import KalturaObjectBase
from vpaas.registry import ForInsert, ServeFile, Service, Time, api_enum, api_object, declare, field
from vpaas.registry.build import Registry, build_registry
from vpaas.registry.declare import UploadedFile
from vpaas.registry.errors import CATALOGUE, error
from vpaas.registry.model import KsRule


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The registry the server publishes."""
    return app_registry()


def _declare_gizmos() -> None:
    """A plugin service with objects, a subclass, a string enum, files and an error."""

    @api_enum
    class KalturaGizmoShape(StrEnum):
        """How a gizmo looks."""

        ROUND = "round"
        SQUARE = "sq"

    @api_object
    class KalturaGizmo(KalturaObjectBase):
        """A throwaway object."""

        id: str = field(readonly=True, doc="Gizmo id")
        shape: KalturaGizmoShape = field(insert_only=True, doc="Chosen at creation")
        createdAt: Time = field(readonly=True, doc="Creation time")
        secretCode: str = field(write_only=True, doc="Never returned")

    @api_object
    class KalturaSuperGizmo(KalturaGizmo):
        """A gizmo with power."""

        power: float = field(doc="How strong")

    error("GIZMO_JAMMED", "Gizmo @GIZMO_ID@ is jammed", "The gizmo cannot move.")
    gizmo = Service("gizmo", """Throwaway gizmos.""", plugin="gadget")

    @gizmo.action(ks=KsRule.USER, errors=("GIZMO_JAMMED",))
    def add(ctx: CallContext, gizmo: Annotated[KalturaGizmo, ForInsert],
            copies: int = 1, loud: bool = False) -> KalturaGizmo:
        """Add a gizmo.

        Args:
            gizmo: The gizmo to add
            copies: How many
        """
        raise NotImplementedError

    @gizmo.action(ks=KsRule.ADMIN)
    def upload(ctx: CallContext, gizmoId: str, fileData: UploadedFile) -> bool:
        """Attach a file to a gizmo."""
        raise NotImplementedError

    @gizmo.action(ks=KsRule.NONE)
    def serve(ctx: CallContext, gizmoId: str,
              shape: KalturaGizmoShape = KalturaGizmoShape.SQUARE) -> ServeFile:
        """Download a gizmo's file."""
        raise NotImplementedError

    @gizmo.action(ks=KsRule.OPTIONAL)
    def list_(ctx: CallContext, ids: list[KalturaGizmo] | None = None
              ) -> dict[str, KalturaSuperGizmo]:
        """List gizmos."""
        raise NotImplementedError

    @gizmo.action()
    def forget(ctx: CallContext, since: Time) -> None:
        """Forget gizmos."""
        raise NotImplementedError


@pytest.fixture
def gizmo_registry() -> Iterator[Registry]:
    """The real registry plus the gizmo declarations, which are withdrawn afterwards."""
    app_registry()  # import every real declaration first, so only gizmos are withdrawn
    sizes = len(declare.OBJECTS), len(declare.ENUMS), len(declare.SERVICES)
    codes = set(CATALOGUE)
    try:
        _declare_gizmos()
        yield build_registry()
    finally:
        del declare.OBJECTS[sizes[0]:], declare.ENUMS[sizes[1]:], declare.SERVICES[sizes[2]:]
        for code in set(CATALOGUE) - codes:
            del CATALOGUE[code]
