"""The embedded default: the asset register as a CSV file, serving as both the device inventory and the
directory (the register names each PC's user, their status and their leader). With Graph configured,
each user's Entra ID object id and manager come from Entra ID, and a user not there is left out (the plan
reports the row)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from pathlib import Path

from connectors.inventory.graph_users import EntraUser, GraphUserResolver
from connectors.inventory.register import Register, read_register
from core.ports import Device, InventorySnapshot, Person

KnownUserId = Callable[[str], Awaitable[str | None]]  # UPN -> AAD object id of someone who talked to Rakel


class RegisterFile:
    """The parsed register, read again when the file changes."""

    def __init__(self, path: Path, domains: dict[str, str], today: Callable[[], date]) -> None:
        self.path = path
        self._domains = domains
        self._today = today
        self._cached: tuple[tuple[float, int], Register] | None = None
        self._lock = asyncio.Lock()

    async def load(self) -> Register:
        async with self._lock:
            stat = await asyncio.to_thread(self.path.stat) if self.path.exists() else None
            version = (stat.st_mtime, stat.st_size) if stat else (0.0, -1)
            if self._cached is None or self._cached[0] != version:
                register = await asyncio.to_thread(read_register, self.path, self._domains, today=self._today())
                self._cached = (version, register)
            return self._cached[1]


class CsvInventory:
    def __init__(self, register: RegisterFile) -> None:
        self._register = register

    async def snapshot(self) -> InventorySnapshot:
        register = await self._register.load()
        return InventorySnapshot([row.device for row in register.rows], list(register.problems), register.source)

    async def devices_of(self, user_id: str, upn: str) -> list[Device]:
        register = await self._register.load()
        upn = upn.lower()
        return [row.device for row in register.rows
                if (upn and row.device.user_upn == upn) or (user_id and row.device.user_id == user_id)]


class CsvDirectory:
    """People as the register describes them. The AAD object id comes from the register's id column,
    else from Rakel's own users (people who have talked to her)."""

    def __init__(self, register: RegisterFile, known_user_id: KnownUserId | None = None,
                 entra: GraphUserResolver | None = None) -> None:
        self._register = register
        self._known_user_id = known_user_id
        self._entra = entra  # with Graph configured: ids and managers from Entra ID, and who is not there

    async def person(self, key: str) -> Person | None:
        return (await self.people([key])).get(key)

    async def people(self, keys: Iterable[str]) -> dict[str, Person]:
        register = await self._register.load()
        by_upn: dict[str, list] = {}
        for row in register.rows:
            by_upn.setdefault(row.device.user_upn, []).append(row)
        by_id = {row.device.user_id: row.device.user_upn for row in register.rows if row.device.user_id}
        wanted = {key: by_id.get(key, key.lower()) for key in keys}
        entra = await self._entra.resolve_all(wanted.values()) if self._entra is not None else {}
        found: dict[str, Person] = {}
        for key, upn in wanted.items():
            if self._entra is not None and entra.get(upn) is None:
                continue  # not in Entra ID: the plan reports it with the register's row
            person = await self._person(upn, by_upn, with_manager=True, entra=entra.get(upn))
            if person is not None:
                found[key] = person
        return found

    async def _person(self, upn: str, by_upn: dict[str, list], *, with_manager: bool, name: str = "",
                      entra: EntraUser | None = None) -> Person | None:
        rows = by_upn.get(upn)
        if not rows:
            if not name:
                return None  # not in the register at all
            # a leader without a PC of their own in the register: known only by UPN (and maybe to Rakel)
            return Person(id=await self._id_for(upn, ""), upn=upn, name=name)
        first = rows[0]
        manager = None
        manager_upn = next((row.device.manager_upn for row in rows if row.device.manager_upn), "")
        if with_manager and entra is not None and entra.manager_id:  # Entra ID knows the leader best
            manager = Person(entra.manager_id, entra.manager_upn, entra.manager_name or entra.manager_upn)
        elif with_manager and manager_upn and manager_upn != upn:
            manager_name = next((row.manager_name for row in rows if row.manager_name), "") or manager_upn
            manager = await self._person(manager_upn, by_upn, with_manager=False, name=manager_name)
        registered = next((row.device.user_id for row in rows if row.device.user_id), "")
        return Person(
            id=registered or (entra.id if entra else "") or await self._id_for(upn, ""),
            upn=upn,
            name=next((row.user_name for row in rows if row.user_name), "") or upn,
            active=all(row.user_active for row in rows),
            department=first.device.department,
            municipality=first.device.municipality,
            manager=manager,
        )

    async def _id_for(self, upn: str, registered: str) -> str:
        if registered:
            return registered
        if self._entra is not None:
            found = await self._entra.resolve(upn)
            if found is not None:
                return found.id
        if self._known_user_id is not None:
            return await self._known_user_id(upn) or ""
        return ""
