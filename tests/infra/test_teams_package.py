"""The Teams app package holds a manifest with the bot's app id and both icons."""

import json
import struct
import zipfile

import pytest

from infra.teams.package import build

APP_ID = "11111111-2222-3333-4444-555555555555"


def test_the_package_has_the_manifest_and_icons(tmp_path):
    package = build(APP_ID, "rakel.ror-ikt.no", "2.0.1", tmp_path / "rakel.zip")
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        sizes = {name: struct.unpack(">II", archive.read(name)[16:24]) for name in ("color.png", "outline.png")}
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["rakel.ror-ikt.no"] and manifest["version"] == "2.0.1"
    assert "${" not in json.dumps(manifest)
    # agents reply in the Kundeservice thread without @mentioning Rakel: she must receive channel messages
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in manifest["authorization"]["permissions"]["resourceSpecific"]
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}  # what Teams requires


def test_a_missing_app_id_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="RAKEL_APP_ID"):
        build("", "rakel.ror-ikt.no", "2.0.0", tmp_path / "rakel.zip")
