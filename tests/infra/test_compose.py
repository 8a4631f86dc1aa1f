"""infra/compose.yaml: two Rakel instances on one PostgreSQL 15 behind nginx, consistent with the
nginx configuration and the Containerfile."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

INFRA = Path(__file__).resolve().parents[2] / "infra"


def _compose() -> dict:
    return yaml.safe_load((INFRA / "compose.yaml").read_text())


def _rakel_services(compose: dict) -> dict[str, dict]:
    return {name: service for name, service in compose["services"].items() if name.startswith("rakel")}


def test_two_rakel_instances_share_one_postgresql_15():
    compose = _compose()
    rakel = _rakel_services(compose)
    assert len(rakel) == 2
    urls = {service["environment"]["RAKEL_DATABASE_URL"] for service in rakel.values()}
    assert len(urls) == 1
    assert urlparse(urls.pop()).hostname == "postgres"
    assert compose["services"]["postgres"]["image"].endswith("postgres:15}")
    for service in rakel.values():
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert (INFRA.parent / service["build"]["context"].replace("..", ".") / service["build"]["dockerfile"]).exists()


def test_nginx_balances_over_exactly_the_rakel_instances():
    compose = _compose()
    conf = (INFRA / "nginx" / "rakel.conf").read_text()
    upstream = re.findall(r"^\s*server (\S+):(\d+)", conf, re.MULTILINE)
    rakel = _rakel_services(compose)
    assert sorted(host for host, _ in upstream) == sorted(rakel)
    assert {port for _, port in upstream} == {service["environment"]["RAKEL_PORT"] for service in rakel.values()}
    mount = next(volume for volume in compose["services"]["nginx"]["volumes"] if "rakel.conf" in volume)
    assert (INFRA / mount.split(":")[0]).resolve() == (INFRA / "nginx" / "rakel.conf").resolve()


def test_compose_waits_longer_than_the_instances_take_to_drain():
    for service in _rakel_services(_compose()).values():
        environment = service["environment"]
        drain = float(environment["RAKEL_SHUTDOWN_DELAY_SECONDS"]) + float(environment["RAKEL_SHUTDOWN_GRACE_SECONDS"])
        assert float(service["stop_grace_period"].rstrip("s")) > drain
