"""Contract: the Intune inventory and Entra ID directory over Microsoft Graph (managed devices with their
primary users, users with their managers, paging, throttling), and installing Rakel for a user."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.graph.app_installer import GraphAppInstaller
from connectors.graph.client import GraphClient, GraphError
from connectors.inventory import build_inventory
from connectors.inventory.intune import DEVICE_FIELDS, USER_FIELDS, GraphDirectory, IntuneInventory
from core.ports import DeviceStatus
from core.settings import DEFAULT_MUNICIPALITY_DOMAINS, Settings
from tests.connectors.conftest import RecordedSleeps
from tests.fakes.graph import FakeGraph
from tests.fakes.intune import FakeDirectory

KARI, LENA, TOR, OLA = "id-kari", "id-lena", "id-tor", "id-ola"


@pytest.fixture
def directory(fake_graph: FakeGraph) -> FakeDirectory:
    fake = FakeDirectory(fake_graph)
    fake.add_user(LENA, "Lena.Lie@molde.kommune.no", "Lena Lie", department="Servicetorget", company="Molde kommune")
    fake.add_user(KARI, "kari.nordmann@molde.kommune.no", "Kari Nordmann", department="Servicetorget", manager=LENA)
    fake.add_user(TOR, "tor.helland@vestnes.kommune.no", "Tor Helland", enabled=False)
    fake.add_user(OLA, "ola.hansen@rauma.kommune.no", "Ola Hansen", manager=TOR)
    fake.add_device("MOL-PC0001", "PF1A2B3C", user_id=KARI, enrolled="2018-02-14T09:12:00Z")
    fake.add_device("MOL-PC0002", "PF9Z8Y7X", user_id=LENA, enrolled="2023-03-15T10:00:00Z", model="ThinkPad T14")
    fake.add_device("KARI-IPHONE", "F2LX1234", user_id=KARI, os="iOS", enrolled="2022-01-01T00:00:00Z")
    fake.add_device("FELLES-PC", "CN0001", enrolled="2017-01-01T00:00:00Z")  # no primary user
    fake.add_device("RAU-PC0001", "PF4455", user_id=OLA, enrolled="2019-05-02T00:00:00Z", state="retirePending")
    fake.add_device("RAU-PC0002", "PF4455", user_id=TOR, enrolled="0001-01-01T00:00:00Z")  # same serial, no date
    return fake


def inventory(client: GraphClient, **options) -> IntuneInventory:
    return IntuneInventory(client, operating_systems=["Windows"], domains=DEFAULT_MUNICIPALITY_DOMAINS, **options)


async def test_managed_devices_with_primary_users_follow_every_page(graph_client, fake_graph, directory):
    snapshot = await inventory(graph_client).snapshot()

    assert snapshot.source == "Intune"
    by_name = {device.id: device for device in snapshot.devices}
    assert set(by_name) == {"MOL-PC0001", "MOL-PC0002", "RAU-PC0001"}  # phones left out
    kari = by_name["MOL-PC0001"]
    assert (kari.serial, kari.model, kari.purchased, kari.user_upn, kari.user_id, kari.municipality) == (
        "PF1A2B3C", "LENOVO ThinkPad T470", date(2018, 2, 14), "kari.nordmann@molde.kommune.no", KARI, "molde")
    assert by_name["RAU-PC0001"].status is DeviceStatus.RETIRED
    assert {(problem.device, problem.code) for problem in snapshot.problems} == {
        ("FELLES-PC", "missing_user"), ("RAU-PC0002", "missing_date")}
    requests = fake_graph.requests_to("/deviceManagement/managedDevices")
    assert len(requests) == 3  # six devices, pages of two
    assert requests[0].query["$select"] == DEVICE_FIELDS


async def test_the_age_can_come_from_the_registers_purchase_dates(graph_client, directory, tmp_path: Path):
    register = tmp_path / "register.csv"
    register.write_text("Serienummer;Modell;Innkjøpsdato;Bruker\nPF1A2B3C;T470;01.11.2017;kari.nordmann@molde.kommune.no\n"
                        "CN5001;Latitude;31.02.2017;ola.hansen@rauma.kommune.no\n", encoding="utf-8")
    settings = Settings(_env_file=None, pc_inventory_source="graph", pc_graph_date_source="register",  # type: ignore[call-arg]
                        pc_inventory_csv=register)
    intune, _ = build_inventory(settings, graph_client, today=lambda: date(2025, 3, 3))

    snapshot = await intune.snapshot()

    assert [(device.id, device.purchased) for device in snapshot.devices] == [("MOL-PC0001", date(2017, 11, 1))]
    problems = {(problem.row, problem.code) for problem in snapshot.problems}
    assert (3, "bad_date") in problems  # the register's own problems, with their row numbers
    assert (0, "not_in_register") in problems  # Intune PCs the register lacks
    assert ("missing_date" not in {code for _, code in problems})  # not all lumped together as "no date"


async def test_one_users_devices(graph_client, fake_graph, directory):
    devices = await inventory(graph_client).devices_of(KARI, "kari.nordmann@molde.kommune.no")
    assert [device.id for device in devices] == ["MOL-PC0001"]
    assert fake_graph.requests_to(f"/users/{KARI}/managedDevices")[0].query["$select"] == DEVICE_FIELDS
    assert await inventory(graph_client).devices_of("", "nobody@molde.kommune.no") == []


async def test_a_person_with_their_manager(graph_client, fake_graph, directory):
    people = GraphDirectory(graph_client, domains=DEFAULT_MUNICIPALITY_DOMAINS)

    kari = await people.person("kari.nordmann@molde.kommune.no")

    assert (kari.id, kari.name, kari.active, kari.department, kari.municipality) == (
        KARI, "Kari Nordmann", True, "Servicetorget", "molde")
    assert (kari.manager.id, kari.manager.upn, kari.manager.name, kari.manager.active) == (
        LENA, "lena.lie@molde.kommune.no", "Lena Lie", True)
    [request] = fake_graph.requests_to("/users/kari.nordmann@molde.kommune.no")
    assert request.query == {"$select": USER_FIELDS,
                             "$expand": "manager($select=id,displayName,userPrincipalName,accountEnabled)"}
    ola = await people.person(OLA)
    assert ola.manager.active is False  # Tor has left
    assert await people.person("sluttet@molde.kommune.no") is None  # deleted: 404


async def test_many_people_are_read_as_one_paged_user_list(graph_client, fake_graph, directory):
    for number in range(120):
        directory.add_user(f"id-{number}", f"ansatt{number}@aukra.kommune.no", f"Ansatt {number}", manager=LENA)
    people = GraphDirectory(graph_client, domains=DEFAULT_MUNICIPALITY_DOMAINS)
    wanted = [f"ansatt{number}@aukra.kommune.no" for number in range(120)] + ["kari.nordmann@molde.kommune.no", "borte@x.no"]

    found = await people.people(wanted)

    assert len(found) == 121 and "borte@x.no" not in found
    assert found["ansatt7@aukra.kommune.no"].manager.name == "Lena Lie"
    assert found["ansatt7@aukra.kommune.no"].municipality == "aukra"
    requests = fake_graph.requests_to("/v1.0/users", "GET")
    assert all(r.query["$top"] == "100" and r.query["$expand"].startswith("manager(") for r in requests)
    assert len(requests) == 2  # 124 users, at most 100 a page when the manager is expanded


async def test_throttling_is_waited_out(graph_client, fake_graph, directory, sleeps: RecordedSleeps):
    fake_graph.throttle(2, retry_after="4")

    snapshot = await inventory(graph_client).snapshot()

    assert len(snapshot.devices) == 3
    assert sleeps.delays == [4.0, 4.0]


async def test_persistent_failure_is_an_inventory_error(graph_client, fake_graph, directory):
    from core.ports import InventoryError

    fake_graph.throttle(10, retry_after="1", status=503)
    with pytest.raises(InventoryError, match="Intune"):
        await inventory(graph_client).snapshot()


async def test_rakel_is_installed_for_a_user_and_a_second_install_is_harmless(graph_client, fake_graph, directory, graph_settings):
    installer = GraphAppInstaller(graph_client, "rakel-catalog-id", graph_settings.graph_base_url)

    await installer.install_for(KARI)
    await installer.install_for(KARI)  # 409: already installed

    [first, second] = fake_graph.requests_to(f"/users/{KARI}/teamwork/installedApps", "POST")
    assert first.json() == {"teamsApp@odata.bind": f"{graph_settings.graph_base_url}/appCatalogs/teamsApps/rakel-catalog-id"}
    assert directory.installed[KARI] == [first.json()["teamsApp@odata.bind"]]
    wrong = GraphAppInstaller(graph_client, "not-in-catalog", graph_settings.graph_base_url)
    with pytest.raises(GraphError):
        await wrong.install_for(KARI)


async def test_a_csv_register_without_entra_ids_gets_them_and_the_managers_from_graph(
        graph_client, fake_graph, directory, tmp_path: Path):
    register = tmp_path / "register.csv"
    register.write_text(
        "Serienummer;Modell;Innkjøpsdato;Bruker;Navn;Leder\n"
        "PF1A2B3C;T470;01.11.2017;kari.nordmann@molde.kommune.no;Kari Nordmann;\n"
        "CN5001;Latitude;01.11.2017;slutta.for.lenge.siden@molde.kommune.no;Borte Vekk;\n", encoding="utf-8")
    settings = Settings(_env_file=None, pc_inventory_csv=register)  # type: ignore[call-arg]
    _, people = build_inventory(settings, graph_client, today=lambda: date(2025, 3, 3))

    found = await people.people(["kari.nordmann@molde.kommune.no", "slutta.for.lenge.siden@molde.kommune.no"])
    again = await people.person("kari.nordmann@molde.kommune.no")  # from the cache

    kari = found["kari.nordmann@molde.kommune.no"]
    assert (kari.id, kari.name) == (KARI, "Kari Nordmann")
    assert (kari.manager.id, kari.manager.upn, kari.manager.name) == (LENA, "lena.lie@molde.kommune.no", "Lena Lie")
    assert "slutta.for.lenge.siden@molde.kommune.no" not in found  # not in Entra ID: the plan reports the row
    assert again == kari
    requests = fake_graph.requests_to("/users/")
    assert len(requests) == 2  # one per person, the second lookup cached
    assert all((r.query["$select"], r.query["$expand"]) == ("id", "manager") for r in requests)


async def test_an_intune_user_outside_the_municipalities_domains_is_reported_not_silently_mapped(
        graph_client, directory):
    directory.add_user("id-ext", "konsulent@firma.no", "Ekstern Konsulent", company="Molde kommune")
    directory.add_device("EXT-PC01", "EXT0001", user_id="id-ext", enrolled="2018-01-01T00:00:00Z")

    snapshot = await inventory(graph_client).snapshot()

    [problem] = [problem for problem in snapshot.problems if problem.device == "EXT-PC01"]
    assert (problem.code, problem.skipped, problem.serial) == ("unknown_municipality", False, "EXT0001")
    assert problem.fix.startswith("Sett kommunen")
