"""Declarations: API objects, enums, services and actions, in typed Python.

An object is a class whose annotated attributes are its fields::

    @api_object
    class KalturaUploadToken(KalturaObject):
        '''A token that receives an uploaded file, possibly in chunks.'''
        id: str = field(readonly=True, doc="The token id")

An action is a function on a :class:`Service`; its signature gives the parameters, its
return annotation the result type and its docstring the documentation::

    upload_token = Service("uploadToken", "Upload files in chunks.")

    @upload_token.action(ks=KsRule.USER)
    def get(ctx: CallContext, uploadTokenId: str) -> KalturaUploadToken:
        '''Get an upload token by id.'''
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NewType, TypeVar

from vpaas.registry.model import KsRule

Time = NewType("Time", int)
"""Unix seconds; in filters, a value within ten years of zero is relative to now."""


class ServeFile:
    """Return type of actions that answer with a file instead of an API result."""

    def __init__(self, path: Any = None, *, redirect: str | None = None,
                 content_type: str = "application/octet-stream",
                 filename: str | None = None, stream: Any = None, size: int | None = None) -> None:
        self.path = path
        self.redirect = redirect
        self.content_type = content_type
        self.filename = filename
        self.stream = stream
        self.size = size


class ForInsert:
    """Marker: ``Annotated[KalturaX, ForInsert]`` rejects read-only fields."""


class ForUpdate:
    """Marker: ``Annotated[KalturaX, ForUpdate]`` rejects read-only and insert-only fields."""


_MISSING = object()


@dataclass
class FieldDecl:
    readonly: bool = False
    insert_only: bool = False
    write_only: bool = False
    doc: str = ""
    filters: str = ""
    default: Any = None


def field(*, readonly: bool = False, insert_only: bool = False, write_only: bool = False,
          doc: str = "", filters: str = "", default: Any = None) -> Any:
    """Declare an object field's flags, documentation and filter operators."""
    return FieldDecl(readonly, insert_only, write_only, doc, filters, default)


class KalturaObject:
    """Base of every API object. Fields not sent by the client stay ``None``.

    ``supplied`` holds the names the client sent; ``nulled`` those sent as ``field__null``,
    so that update actions change exactly what was asked.
    """

    __api_abstract__ = True
    __api_plugin__: str | None = None

    def __init__(self, **values: Any) -> None:
        self.supplied: set[str] = set()
        self.nulled: set[str] = set()
        fields = self.__dict__  # declared fields are plain attributes (no descriptors)
        fields.update(_declared_defaults(type(self)))
        fields.update(values)

    def __repr__(self) -> str:
        shown = {k: v for k, v in vars(self).items() if v is not None and k not in
                 ("supplied", "nulled")}
        return f"{type(self).__name__}({shown})"

    @classmethod
    def object_type(cls) -> str:
        return cls.__name__


def _declared_defaults(cls: type) -> dict[str, Any]:
    cached = cls.__dict__.get("__api_defaults__")
    if cached is not None:
        return cached
    defaults: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name in inspect.get_annotations(klass):
            value = klass.__dict__.get(name, None)
            if isinstance(value, FieldDecl):
                defaults[name] = value.default
            elif not name.startswith("_") and name not in ("supplied", "nulled"):
                defaults[name] = value
    cls.__api_defaults__ = defaults  # type: ignore[attr-defined]
    return defaults


OBJECTS: list[type] = []
ENUMS: list[type] = []
SERVICES: list[Service] = []

C = TypeVar("C", bound=type)


def api_object(cls: C | None = None, *, abstract: bool = False, plugin: str | None = None) -> Any:
    """Register an API object class; ``abstract`` ones cannot be instantiated by clients."""

    def wrap(klass: C) -> C:
        klass.__api_abstract__ = abstract  # type: ignore[attr-defined]
        klass.__api_plugin__ = plugin  # type: ignore[attr-defined]
        OBJECTS.append(klass)
        return klass

    return wrap(cls) if cls is not None else wrap


class ApiEnum:
    """Mixin marking an enum as published; use with IntEnum or str-valued Enum."""


def api_enum(cls: C) -> C:
    """Register an enum (``IntEnum`` for int enums, ``str, Enum`` for string enums)."""
    if not issubclass(cls, enum.Enum):
        raise TypeError(f"{cls.__name__} is not an Enum")
    ENUMS.append(cls)
    return cls


@dataclass
class ActionDecl:
    service: Service
    func: Callable[..., Any]
    name: str
    ks: KsRule
    errors: tuple[str, ...]


class Service:
    """A Kaltura service; actions are attached with :meth:`action`."""

    def __init__(self, name: str, doc: str, *, plugin: str | None = None) -> None:
        self.name = name
        self.doc = inspect.cleandoc(doc)
        self.plugin = plugin
        self.actions: list[ActionDecl] = []
        SERVICES.append(self)

    @property
    def id(self) -> str:
        base = self.name.lower()
        return f"{self.plugin.lower()}_{base}" if self.plugin else base

    def action(self, name: str | None = None, *, ks: KsRule = KsRule.ANY,
               errors: tuple[str, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare an action; ``name`` defaults to the function name (``list_`` → ``list``)."""

        def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
            action_name = name or func.__name__.rstrip("_")
            self.actions.append(ActionDecl(self, func, action_name, ks, errors))
            return func

        return wrap


class UploadedFile:
    """A file part of the request (``fileData``), already spooled by the API edge."""

    def __init__(self, filename: str, file: Any, size: int | None = None,
                 content_type: str = "application/octet-stream") -> None:
        self.filename = filename
        self.file = file
        self.size = size
        self.content_type = content_type
