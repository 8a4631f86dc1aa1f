"""Entra ID object ids and managers for a register that has only e-mail addresses (CSV mode with Graph
configured): ``GET /users/{upn}?$select=id&$expand=manager`` per person, cached, so a campaign can reach
people who never opened Rakel. Permission (application): User.Read.All."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

from connectors.graph.client import GraphClient, GraphError
from core.ports import InventoryError

CONCURRENT_LOOKUPS = 4


@dataclass(frozen=True)
class EntraUser:
    id: str
    manager_id: str = ""
    manager_upn: str = ""
    manager_name: str = ""


class GraphUserResolver:
    def __init__(self, graph: GraphClient, *, cache_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._graph = graph
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, EntraUser | None]] = {}  # upn -> (when, user or "not in Entra ID")
        self._gate = asyncio.Semaphore(CONCURRENT_LOOKUPS)

    async def resolve(self, upn: str) -> EntraUser | None:
        """The user's object id and manager; None when Entra ID has no such user. Raises InventoryError
        when Graph cannot answer (the plan then stops rather than report everyone unknown)."""
        upn = upn.lower()
        cached = self._cache.get(upn)
        if cached is not None and self._clock() - cached[0] < self._cache_seconds:
            return cached[1]
        async with self._gate:
            try:
                item = await self._graph.get_json(f"users/{quote(upn, safe='@')}", {"$select": "id", "$expand": "manager"})
            except GraphError as error:
                if error.status != 404:
                    raise InventoryError(f"Entra ID (Microsoft Graph) svarte ikke: {error}") from error
                item = None
        user = None
        if item is not None:
            manager = item.get("manager") or {}
            user = EntraUser(item["id"], manager.get("id", ""), (manager.get("userPrincipalName") or "").lower(),
                             manager.get("displayName") or "")
        self._cache[upn] = (self._clock(), user)
        return user

    async def resolve_all(self, upns: Iterable[str]) -> dict[str, EntraUser | None]:
        wanted = list(dict.fromkeys(upn.lower() for upn in upns))
        found = await asyncio.gather(*(self.resolve(upn) for upn in wanted))
        return dict(zip(wanted, found, strict=True))
