from __future__ import annotations

import json

from click.testing import CliRunner

from vpaas.api import ks as ks_codec
from vpaas.cli import main


def test_partner_create_list_and_ks(tmp_path, settings, monkeypatch) -> None:
    if settings.database_url:
        monkeypatch.setenv("VPAAS_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "d")]
    out = runner.invoke(main, ["partner", "create", "--name", "Acme", "--json", *data])
    assert out.exit_code == 0, out.output
    partner = json.loads(out.output.strip().splitlines()[-1])
    assert set(partner) >= {"id", "adminSecret", "secret"} and partner["id"] >= 101
    listed = runner.invoke(main, ["partner", "list", "--json", *data])
    assert [p["name"] for p in json.loads(listed.output.strip().splitlines()[-1])] == ["Acme"]
    ks = runner.invoke(main, ["ks", "--partner", str(partner["id"]), "--admin", "--user", "ops",
                              "--privileges", "disableentitlement", "--expiry", "600", *data])
    decoded = ks_codec.decode(ks.output.strip().splitlines()[-1], [partner["adminSecret"]])
    assert (decoded.session_type, decoded.user_id) == (2, "ops")
    assert decoded.privileges.has("disableentitlement")
    missing = runner.invoke(main, ["ks", "--partner", "999", *data])
    assert missing.exit_code == 1
