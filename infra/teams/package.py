"""Build the Teams app package (manifest + icons) for upload in Teams Admin Center.

    RAKEL_APP_ID=<bot app id> RAKEL_PUBLIC_HOST=rakel.example.no python infra/teams/package.py
"""

from __future__ import annotations

import json
import os
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def build(app_id: str, public_host: str, version: str, output: Path) -> Path:
    if not GUID.match(app_id):
        raise SystemExit(f"RAKEL_APP_ID must be the bot's Microsoft app id (a GUID), got {app_id!r}")
    text = (HERE / "manifest.template.json").read_text(encoding="utf-8")
    for name, value in {"RAKEL_APP_ID": app_id, "RAKEL_PUBLIC_HOST": public_host, "VERSION": version}.items():
        text = text.replace("${" + name + "}", value)
    json.loads(text)  # the result must still be JSON
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", text)
        archive.write(HERE / "color.png", "color.png")
        archive.write(HERE / "outline.png", "outline.png")
    return output


if __name__ == "__main__":
    app_id = os.environ.get("RAKEL_APP_ID", "")
    host = os.environ.get("RAKEL_PUBLIC_HOST", "")
    if not host:
        sys.exit("Set RAKEL_PUBLIC_HOST to the host name Teams reaches the bot on (no https://)")
    print(build(app_id, host, os.environ.get("RAKEL_APP_VERSION", "2.0.0"), HERE / "rakel-teams.zip"))
