"""KS privileges: parsing, values, entry grants, restrictions."""

from __future__ import annotations

from vpaas.api.ks import Privileges


def test_privileges_parsing_and_helpers() -> None:
    text = ("sview:0_abc,edit:0_x/0_y,edit:0_z,download:0_y,list:*,setrole:3,actionslimit:10,"
            "iprestrict:1.2.3.4/::1,urirestrict:/api_v3/*|/p/*,disableentitlement,"
            "privacycontext:ctx,widget:1,view:*,preview:30,limitentry:0_z,sessionid:abc,"
            "enableentitlement,name:")
    privileges = Privileges.parse(text)
    assert privileges.to_string() == text
    assert privileges.has("disableentitlement") and privileges.has("name")
    assert not privileges.has("download:0_y") and not privileges.is_all
    assert privileges.values("edit") == ["0_x", "0_y", "0_z"]
    assert privileges.values("name") == [] and privileges.values("missing") == []
    assert privileges.allows_entry("edit", "0_y") and not privileges.allows_entry("edit", "0_q")
    assert privileges.allows_entry("view", "anything") and privileges.allows_entry("list", "x")
    assert not privileges.allows_entry("download", "0_x")
    assert privileges.actions_limit == 10
    assert privileges.ip_restrict == ["1.2.3.4", "::1"]
    assert privileges.uri_restrict == ["/api_v3/*", "/p/*"]
    assert privileges.is_widget
    assert privileges.values("setrole") == ["3"] and privileges.values("preview") == ["30"]


def test_star_privilege_allows_everything() -> None:
    privileges = Privileges.parse("disableentitlement,*")
    assert privileges.is_all and privileges.allows_entry("edit", "0_any")
    assert Privileges.parse("all:*").is_all
    assert Privileges.parse("").items == () and Privileges.parse(None).to_string() == ""
    assert Privileges.parse("a,,b").to_string() == "a,b"
    assert Privileges.parse("widget:0").is_widget is False
    assert Privileges.parse("x").actions_limit is None
