"""Markdown reference pages generated from the registry."""

from __future__ import annotations

import re
from pathlib import Path

from vpaas.registry.build import Registry
from vpaas.schema.reference import main, reference_pages, write_reference


def test_every_service_action_object_enum_and_error_is_documented(registry: Registry) -> None:
    pages = reference_pages(registry)
    assert set(pages) == {"index.md", "objects.md", "enums.md", "errors.md"} | {
        f"services/{s}.md" for s in registry.services}
    for svc in registry.services.values():
        page = pages[f"services/{svc.id}.md"]
        assert f"[{svc.id}](services/{svc.id}.md)" in pages["index.md"]
        for action in svc.actions.values():
            assert f"\n## {action.name}\n" in page
            assert f"/service/{svc.id}/action/{action.name}`" in page
            for p in action.params:
                assert f"\n| {p.name} | " in page
    for name in registry.objects:
        assert f"\n## {name}\n" in pages["objects.md"]
    for name, spec in registry.enums.items():
        assert f"\n## {name}\n" in pages["enums.md"]
        for const, _ in spec.values:
            assert f"| {const} |" in pages["enums.md"]
    for code, definition in registry.errors.items():
        assert f"\n## {code}\n\n`{definition.template}`" in pages["errors.md"]


def test_links_point_at_existing_sections(gizmo_registry: Registry) -> None:
    pages = reference_pages(gizmo_registry)
    anchors = {name: set(re.findall(r"^## (\S+)$", text, re.M)) for name, text in pages.items()}
    for name, text in pages.items():
        for target, anchor in re.findall(r"\]\(([^)#]*)#([^)]+)\)", text):
            page = str(Path(name).parent / target) if target else name
            page = page.replace("services/../", "")
            assert anchor in {a.lower() for a in anchors[page]}, (name, target, anchor)


def test_gizmo_page_shows_flags_and_types(gizmo_registry: Registry) -> None:
    pages = reference_pages(gizmo_registry)
    gizmo = pages["services/gadget_gizmo.md"]
    assert gizmo.startswith("# gadget_gizmo (plugin gadget)")
    assert "KS: user or admin session" in gizmo
    assert "| copies | int |  | `1` | How many |" in gizmo
    assert "returns map of [KalturaSuperGizmo](../objects.md#kalturasupergizmo)" in gizmo
    assert "Errors: [GIZMO_JAMMED](../errors.md#gizmo_jammed)" in gizmo
    objects = pages["objects.md"]
    assert "Extends [KalturaGizmo](#kalturagizmo)." in objects
    assert "| shape | [KalturaGizmoShape](enums.md#kalturagizmoshape) | insert-only |" in objects


def test_written_to_a_directory(tmp_path: Path, registry: Registry,
                                capsys: object) -> None:
    written = write_reference(registry, tmp_path / "ref")
    assert (tmp_path / "ref" / "services" / "session.md") in written
    assert main([str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "index.md").read_text(encoding="utf-8") == (
        tmp_path / "ref" / "index.md").read_text(encoding="utf-8")
    assert main([]) == 2
