"""The registry: the one declaration of services, actions, objects, enums and errors.

It drives dispatch, parameter validation, ``api_schema.php`` and ``openapi.json``.
"""

from vpaas.registry.declare import (
    ApiEnum,
    ForInsert,
    ForUpdate,
    KalturaObject,
    ServeFile,
    Service,
    Time,
    api_enum,
    api_object,
    field,
)
from vpaas.registry.errors import ApiError, ErrorDef, error

__all__ = [
    "ApiEnum",
    "ApiError",
    "ErrorDef",
    "ForInsert",
    "ForUpdate",
    "KalturaObject",
    "ServeFile",
    "Service",
    "Time",
    "api_enum",
    "api_object",
    "error",
    "field",
]
