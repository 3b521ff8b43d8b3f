"""The error catalogue's machinery: an error is declared once with its code and template.

Templates use Kaltura's ``@ARG_NAME@`` placeholders; the argument names are published in
the schema and returned to clients in ``args``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(r"@([A-Z0-9_]+)@")
CATALOGUE: dict[str, ErrorDef] = {}


@dataclass(frozen=True)
class ErrorDef:
    """A declared API error: code, message template and argument names."""

    code: str
    template: str
    doc: str = ""

    @property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_PLACEHOLDER.findall(self.template)))

    def __call__(self, *args: Any, **kwargs: Any) -> ApiError:
        """Build the exception; positional args fill the placeholders in order."""
        values = dict(zip(self.arg_names, args, strict=False))
        values.update(kwargs)
        missing = [n for n in self.arg_names if n not in values]
        if missing:
            raise TypeError(f"{self.code} needs {missing}")
        return ApiError(self, {k: "" if v is None else str(v) for k, v in values.items()})


class ApiError(Exception):
    """An error returned to the client with HTTP 200, as Kaltura does."""

    def __init__(self, definition: ErrorDef, args: dict[str, str]) -> None:
        self.definition = definition
        self.args_map = args
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def message(self) -> str:
        return _PLACEHOLDER.sub(
            lambda m: self.args_map.get(m.group(1), m.group(0)), self.definition.template
        )


def error(code: str, template: str, doc: str = "") -> ErrorDef:
    """Declare an error; each code is declared exactly once."""
    if code in CATALOGUE:
        raise ValueError(f"error {code} declared twice")
    definition = ErrorDef(code, template, doc)
    CATALOGUE[code] = definition
    return definition
