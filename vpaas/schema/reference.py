"""Markdown reference pages generated from the registry.

``reference_pages(registry)`` maps relative file names to Markdown: ``index.md``, one
``services/{serviceId}.md`` per service, and ``objects.md``, ``enums.md``, ``errors.md``.
``python -m vpaas.schema.reference OUT_DIR`` writes them (e.g. to ``docs/reference``).
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path

from vpaas.registry.build import Registry, build_registry
from vpaas.registry.model import ActionSpec, KsRule, ObjectSpec, ServiceSpec, TypeRef

_KS = {KsRule.NONE: "none", KsRule.OPTIONAL: "optional", KsRule.ANY: "any session",
       KsRule.USER: "user or admin session", KsRule.ADMIN: "admin session"}


def reference_pages(registry: Registry) -> dict[str, str]:
    """Every page, keyed by its path relative to the reference directory."""
    pages = {"index.md": _index(registry), "objects.md": _objects(registry),
             "enums.md": _enums(registry), "errors.md": _errors(registry)}
    for svc in registry.services.values():
        pages[f"services/{svc.id}.md"] = _service(svc, registry)
    return pages


def write_reference(registry: Registry, out_dir: Path) -> list[Path]:
    """Write the pages under ``out_dir`` (created if needed); returns the files written."""
    written = []
    for name, text in reference_pages(registry).items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _cell(text: str) -> str:
    """Text that stays inside one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _anchor(name: str) -> str:
    return name.lower()


def type_link(ref: TypeRef, prefix: str = "") -> str:
    """A type as Markdown, linking objects and enums to their sections."""
    if ref.kind in ("array", "map") and ref.item is not None:
        inner = type_link(ref.item, prefix)
        return f"array of {inner}" if ref.kind == "array" else f"map of {inner}"
    if ref.kind == "object":
        return f"[{ref.name}]({prefix}objects.md#{_anchor(ref.name)})"
    if ref.kind == "enum":
        return f"[{ref.name}]({prefix}enums.md#{_anchor(ref.name)})"
    return {"serve": "file (download)", "void": "nothing"}.get(ref.kind, ref.kind)


def _index(registry: Registry) -> str:
    lines = ["# API reference", "",
             "Generated from the registry; the same declarations drive dispatch, "
             "`api_schema.php` and `openapi.json`.", "", "## Services", "",
             "| service | actions | description |", "|---|---|---|"]
    for svc in registry.services.values():
        actions = ", ".join(a.name for a in svc.actions.values())
        summary = svc.doc.split("\n", 1)[0]
        lines.append(f"| [{svc.id}](services/{svc.id}.md) | {actions} | {_cell(summary)} |")
    lines += ["", f"Also: [{len(registry.objects)} objects](objects.md), "
                  f"[{len(registry.enums)} enums](enums.md), "
                  f"[{len(registry.errors)} errors](errors.md).", ""]
    return "\n".join(lines)


def _service(svc: ServiceSpec, registry: Registry) -> str:
    title = f"# {svc.id}" + (f" (plugin {svc.plugin})" if svc.plugin else "")
    lines = [title, "", svc.doc, ""]
    for action in svc.actions.values():
        lines += _action(action)
    return "\n".join(lines)


def _action(action: ActionSpec) -> list[str]:
    lines = [f"## {action.name}", "", action.doc, "",
             f"`POST /api_v3/service/{action.service}/action/{action.name}` "
             f"· KS: {_KS[action.ks]} · returns {type_link(action.returns, '../')}", ""]
    if action.params:
        lines += ["| parameter | type | required | default | description |",
                  "|---|---|---|---|---|"]
        for p in action.params:
            default = p.default.value if isinstance(p.default, enum.Enum) else p.default
            shown = f"`{default!r}`" if p.optional and default is not None else ""
            lines.append(f"| {p.name} | {type_link(p.type, '../')} | "
                         f"{'' if p.optional else 'yes'} | {_cell(shown)} | {_cell(p.doc)} |")
        lines.append("")
    if action.errors:
        links = ", ".join(f"[{c}](../errors.md#{_anchor(c)})" for c in action.errors)
        lines += [f"Errors: {links}", ""]
    return lines


def _objects(registry: Registry) -> str:
    lines = ["# Objects", ""]
    for name in sorted(registry.objects):
        lines += _object(registry.objects[name], registry)
    return "\n".join(lines)


def _object(spec: ObjectSpec, registry: Registry) -> list[str]:
    flags = [w for w, on in (("abstract", spec.abstract), (f"plugin {spec.plugin}", spec.plugin))
             if on]
    lines = [f"## {spec.name}", ""]
    if spec.base:
        lines.append(f"Extends [{spec.base}](#{_anchor(spec.base)})."
                     + (f" ({', '.join(flags)})" if flags else ""))
    elif flags:
        lines.append(f"({', '.join(flags)})")
    lines += ["", spec.doc, ""]
    fields = registry.all_fields(spec.name)
    if fields:
        lines += ["| field | type | flags | description |", "|---|---|---|---|"]
        for f in fields:
            marks = [m for m, on in (("read-only", f.readonly), ("insert-only", f.insert_only),
                                     ("write-only", f.write_only)) if on]
            if f.filters:
                marks.append("filters: " + ",".join(f.filters))
            lines.append(f"| {f.name} | {type_link(f.type)} | {', '.join(marks)} | "
                         f"{_cell(f.doc)} |")
        lines.append("")
    return lines


def _enums(registry: Registry) -> str:
    lines = ["# Enums", ""]
    for name in sorted(registry.enums):
        spec = registry.enums[name]
        lines += [f"## {name}", "", f"{spec.kind} enum. {spec.doc}", "",
                  "| name | value |", "|---|---|"]
        lines += [f"| {const} | `{value}` |" for const, value in spec.values]
        lines.append("")
    return "\n".join(lines)


def _errors(registry: Registry) -> str:
    lines = ["# Errors", "",
             "Returned as `KalturaAPIException` (HTTP 200); `@ARG@` placeholders are filled "
             "from the error's arguments.", ""]
    for code, definition in registry.errors.items():
        lines += [f"## {code}", "", f"`{definition.template}`", ""]
        if definition.doc:
            lines += [definition.doc, ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Write the reference pages to the directory given on the command line."""
    if len(argv) != 1:
        print("usage: python -m vpaas.schema.reference OUT_DIR", file=sys.stderr)
        return 2
    for path in write_reference(build_registry(), Path(argv[0])):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
