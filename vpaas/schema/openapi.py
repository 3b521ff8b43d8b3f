from typing import Any

from vpaas.registry.build import Registry


def openapi_document(registry: Registry, base_url: str) -> dict[str, Any]:
    raise NotImplementedError("being written")
