from vpaas.registry.build import Registry


def api_schema_xml(registry: Registry) -> str:
    raise NotImplementedError("being written")
