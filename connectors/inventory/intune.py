"""Production inventory and directory: Intune managed devices and their primary users, and the users
and managers in Entra ID, through Microsoft Graph with an app token.

Permissions (application): DeviceManagementManagedDevices.Read.All, User.Read.All.
Intune has no purchase date: the age comes from the enrolment date, or from the asset register's
purchase dates matched by serial number (``RAKEL_PC_GRAPH_DATE_SOURCE=register``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from connectors.graph.client import GraphClient, GraphError
from connectors.inventory.csv_source import RegisterFile
from connectors.inventory.register import flag_duplicates, municipality_of, with_purchase_dates
from core.ports import Device, DeviceStatus, InventoryError, InventoryProblem, InventorySnapshot, Person

DEVICE_FIELDS = ("id,deviceName,serialNumber,model,manufacturer,operatingSystem,enrolledDateTime,"
                 "userId,userPrincipalName,managementState")
USER_FIELDS = "id,displayName,userPrincipalName,accountEnabled,department,companyName"
MANAGER_EXPAND = "manager($select=id,displayName,userPrincipalName,accountEnabled)"
RETIRED_STATES = {"retirePending", "retireFailed", "wipePending", "wipeFailed", "wipeIssued", "retireIssued"}
USERS_PAGE = "100"  # Graph returns at most 100 users per page when the manager is expanded
ONE_BY_ONE_LIMIT = 40  # more people than this: list every user once instead of one request each
CONCURRENT_LOOKUPS = 4


def _date(value: str | None) -> date | None:
    if not value or value.startswith("0001-"):  # Intune's "never"
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


class IntuneInventory:
    def __init__(
        self,
        graph: GraphClient,
        *,
        operating_systems: list[str],
        domains: dict[str, str],
        purchase_dates: RegisterFile | None = None,
    ) -> None:
        self._graph = graph
        self._systems = {name.lower() for name in operating_systems}
        self._domains = domains
        self._purchase_dates = purchase_dates

    async def snapshot(self) -> InventorySnapshot:
        devices: list[Device] = []
        problems: list[InventoryProblem] = []
        try:
            async for item in self._graph.paged("deviceManagement/managedDevices", {"$select": DEVICE_FIELDS}):
                device = self._device(item, problems)
                if device is not None:
                    devices.append(device)
        except GraphError as error:
            raise InventoryError(f"Intune (Microsoft Graph) svarte ikke: {error}") from error
        devices = await self._dated(devices, problems)
        kept, duplicates = flag_duplicates(devices)
        return InventorySnapshot(kept, problems + duplicates, "Intune")

    async def devices_of(self, user_id: str, upn: str) -> list[Device]:
        key = user_id or upn
        try:
            items = [item async for item in self._graph.paged(f"users/{key}/managedDevices", {"$select": DEVICE_FIELDS})]
        except GraphError as error:
            if error.status == 404:
                return []
            raise InventoryError(f"Intune (Microsoft Graph) svarte ikke: {error}") from error
        devices = [device for item in items if (device := self._device(item, []))]
        return [device for device in await self._dated(devices, []) if device.purchased]

    def _device(self, item: dict[str, Any], problems: list[InventoryProblem]) -> Device | None:
        if (item.get("operatingSystem") or "").lower() not in self._systems:
            return None  # phones and tablets are not part of PC replacement
        name = item.get("deviceName") or item.get("id", "")
        serial = (item.get("serialNumber") or "").strip()
        if not serial:
            problems.append(InventoryProblem(0, name, "missing_serial", "Intune kjenner ikke serienummeret.", True))
            return None
        upn = (item.get("userPrincipalName") or "").lower()
        if not upn:
            problems.append(InventoryProblem(0, name, "missing_user", "Ingen primærbruker i Intune (fellesmaskin?).", True))
            return None
        status = DeviceStatus.RETIRED if item.get("managementState") in RETIRED_STATES else DeviceStatus.IN_USE
        model = " ".join(part for part in (item.get("manufacturer"), item.get("model")) if part) or "Ukjent modell"
        municipality = municipality_of("", upn, self._domains)
        if municipality is None:
            problems.append(InventoryProblem(0, name, "unknown_municipality",
                                             f"E-postdomenet til {upn} hører ikke til noen kjent kommune "
                                             "(RAKEL_MUNICIPALITY_DOMAINS); kommunen tas fra Entra ID eller blir «ukjent».",
                                             False, None, serial))
        return Device(
            id=name, serial=serial, model=model, purchased=_date(item.get("enrolledDateTime")), user_upn=upn,
            municipality=municipality, status=status, user_id=item.get("userId") or "",
        )

    async def _dated(self, devices: list[Device], problems: list[InventoryProblem]) -> list[Device]:
        """Devices with a date. With the register's purchase dates, the register's own problems (bad and
        missing dates, duplicates, malformed rows, with their row numbers) are reported too, and a PC the
        register lacks is said to be missing from it."""
        listed: set[str] = set()  # serials whose register row is reported already
        if self._purchase_dates is not None:
            register = await self._purchase_dates.load()
            problems += register.problems
            listed = {problem.serial.upper() for problem in register.problems if problem.skipped and problem.serial}
            devices = with_purchase_dates(devices, register)
        dated = []
        for device in devices:
            if device.purchased is not None:
                dated.append(device)
            elif self._purchase_dates is None:
                problems.append(InventoryProblem(0, device.id, "missing_date",
                                                 f"Intune kjenner ikke registreringsdatoen til {device.serial}; "
                                                 "alderen er ukjent.", True, device.municipality, device.serial))
            elif device.serial.upper() not in listed:
                problems.append(InventoryProblem(0, device.id, "not_in_register",
                                                 f"Serienummer {device.serial} ({device.id}, {device.user_upn}) finnes "
                                                 "ikke i maskinregisteret; alderen er ukjent.", True,
                                                 device.municipality, device.serial))
        return dated


class GraphDirectory:
    def __init__(self, graph: GraphClient, *, domains: dict[str, str]) -> None:
        self._graph = graph
        self._domains = domains

    async def person(self, key: str) -> Person | None:
        try:
            item = await self._graph.get_json(f"users/{key}", {"$select": USER_FIELDS, "$expand": MANAGER_EXPAND})
        except GraphError as error:
            if error.status == 404:
                return None  # deleted: has left
            raise InventoryError(f"Entra ID (Microsoft Graph) svarte ikke: {error}") from error
        return self._person(item)

    async def people(self, keys: Iterable[str]) -> dict[str, Person]:
        wanted = list(dict.fromkeys(keys))
        if len(wanted) <= ONE_BY_ONE_LIMIT:
            return await self._one_by_one(wanted)
        by_key: dict[str, Person] = {}
        try:
            async for item in self._graph.paged("users", {"$select": USER_FIELDS, "$expand": MANAGER_EXPAND, "$top": USERS_PAGE}):
                person = self._person(item)
                by_key[person.upn] = person
                by_key[person.id] = person
        except GraphError as error:
            raise InventoryError(f"Entra ID (Microsoft Graph) svarte ikke: {error}") from error
        return {key: by_key[key.lower() if "@" in key else key] for key in wanted
                if (key.lower() if "@" in key else key) in by_key}

    async def _one_by_one(self, keys: list[str]) -> dict[str, Person]:
        gate = asyncio.Semaphore(CONCURRENT_LOOKUPS)

        async def look_up(key: str) -> tuple[str, Person | None]:
            async with gate:
                return key, await self.person(key)

        return {key: person for key, person in await asyncio.gather(*(look_up(key) for key in keys)) if person}

    def _person(self, item: dict[str, Any], *, with_manager: bool = True) -> Person:
        upn = (item.get("userPrincipalName") or "").lower()
        manager = item.get("manager") if with_manager else None
        company = (item.get("companyName") or "").lower()
        return Person(
            id=item.get("id", ""),
            upn=upn,
            name=item.get("displayName") or upn,
            active=item.get("accountEnabled", True) is not False,
            department=item.get("department") or "",
            municipality=municipality_of(company, upn, self._domains),
            manager=self._person(manager, with_manager=False) if manager else None,
        )


def build_intune(graph: GraphClient, settings: Any, today: Callable[[], date]) -> tuple[IntuneInventory, GraphDirectory]:
    purchase_dates = (
        RegisterFile(settings.pc_inventory_csv, settings.municipality_domains, today)
        if settings.pc_graph_date_source == "register" else None
    )
    inventory = IntuneInventory(graph, operating_systems=settings.pc_operating_systems,
                                domains=settings.municipality_domains, purchase_dates=purchase_dates)
    return inventory, GraphDirectory(graph, domains=settings.municipality_domains)
