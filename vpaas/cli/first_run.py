"""First start: create the first partner and tell the operator how to use it."""

from __future__ import annotations

import click

from vpaas.domain.partners import create_partner, list_partners
from vpaas.runtime import Runtime


def ensure_first_partner(runtime: Runtime, base_url: str) -> None:
    with runtime.db.system_session() as session:
        existing = list_partners(session)
        if existing:
            first = existing[0]
            click.echo(f"vpaas serving {base_url}  (partners: {len(existing)}, first: "
                       f"{first.id}; `vpaas partner list` shows them)")
            return
        row = create_partner(session, "Default partner")
        session.commit()
    click.echo(
        "\n".join([
            "vpaas first start: created partner",
            f"  partner id:    {row.id}",
            f"  admin secret:  {row.admin_secret}",
            f"  user secret:   {row.secret}",
            f"  API:           {base_url}/api_v3/service/system/action/ping",
            f"  API schema:    {base_url}/api_v3/api_schema.php",
            f"  OpenAPI:       {base_url}/api_v3/openapi.json",
            "  (shown once; `vpaas partner create --name X` makes more)",
        ])
    )
