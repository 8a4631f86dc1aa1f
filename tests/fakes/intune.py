"""Intune and Entra ID resources for the fake Graph (FakeGraph.route): managed devices with their
primary users, users with ``$expand=manager($select=...)``, a user's devices, and Teams app installs.
Shapes as Graph v1.0 documents them; ``$select`` and paging come from FakeGraph."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.graph import FakeGraph, graph_error, select

# What Graph returns for a user without $select (accountEnabled, department, companyName are not among them)
DEFAULT_USER_PROPERTIES = frozenset({"id", "displayName", "userPrincipalName", "mail", "jobTitle", "givenName",
                                     "surname", "businessPhones", "mobilePhone", "officeLocation", "preferredLanguage"})


@dataclass
class FakeDirectory:
    graph: FakeGraph
    devices: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id
    managers: dict[str, str] = field(default_factory=dict)  # user id -> manager id
    installed: dict[str, list[str]] = field(default_factory=dict)  # user id -> bound app ids

    def __post_init__(self) -> None:
        self.graph.route("GET", r"deviceManagement/managedDevices", self._devices)
        self.graph.route("GET", r"users", self._users)
        self.graph.route("GET", r"users/(?P<key>[^/]+)", self._user)
        self.graph.route("GET", r"users/(?P<key>[^/]+)/managedDevices", self._user_devices)
        self.graph.route("POST", r"users/(?P<key>[^/]+)/teamwork/installedApps", self._install)

    def add_user(self, user_id: str, upn: str, name: str, *, enabled: bool = True, department: str = "",
                 company: str = "", manager: str | None = None) -> dict[str, Any]:
        self.users[user_id] = {"id": user_id, "displayName": name, "userPrincipalName": upn, "accountEnabled": enabled,
                               "department": department, "companyName": company, "mail": upn, "jobTitle": "Rådgiver"}
        if manager:
            self.managers[user_id] = manager
        return self.users[user_id]

    def add_device(self, name: str, serial: str, *, user_id: str = "", os: str = "Windows", enrolled: str,
                   model: str = "ThinkPad T470", manufacturer: str = "LENOVO", state: str = "managed") -> None:
        upn = self.users[user_id]["userPrincipalName"] if user_id else ""
        self.devices.append({
            "id": f"dev-{len(self.devices) + 1}", "deviceName": name, "serialNumber": serial, "model": model,
            "manufacturer": manufacturer, "operatingSystem": os, "enrolledDateTime": enrolled, "userId": user_id,
            "userPrincipalName": upn, "managementState": state, "complianceState": "compliant",
            "emailAddress": upn, "osVersion": "10.0.19045",
        })

    def _with_manager(self, user: dict[str, Any], request: web.Request) -> dict[str, Any]:
        resource = select(user, request)
        expand = request.query.get("$expand", "")
        manager = self.users.get(self.managers.get(user["id"], ""))
        if expand.startswith("manager") and manager is not None:
            nested = re.search(r"\$select=([^)]*)", expand)
            wanted = set(nested.group(1).split(",")) if nested else DEFAULT_USER_PROPERTIES
            resource["manager"] = {"@odata.type": "#microsoft.graph.user",
                                   **{k: v for k, v in manager.items() if k in wanted}}
        return resource

    async def _devices(self, request: web.Request, match: re.Match[str]) -> web.Response:
        return self.graph.collection(request, self.devices)

    async def _users(self, request: web.Request, match: re.Match[str]) -> web.Response:
        if "$expand" in request.query and int(request.query.get("$top", "100")) > 100:
            return graph_error(400, "Request_UnsupportedQuery", "$top above 100 is not supported with $expand")
        page = self.graph.page_of(request, list(self.users.values()))
        page["value"] = [self._with_manager(self.users[item["id"]], request) for item in page["value"]]
        return web.json_response(page)

    def _find(self, key: str) -> dict[str, Any] | None:
        return self.users.get(key) or next(
            (user for user in self.users.values() if user["userPrincipalName"].lower() == key.lower()), None)

    async def _user(self, request: web.Request, match: re.Match[str]) -> web.Response:
        user = self._find(match["key"])
        if user is None:
            return graph_error(404, "Request_ResourceNotFound", f"Resource '{match['key']}' does not exist.")
        return web.json_response(self._with_manager(user, request))

    async def _user_devices(self, request: web.Request, match: re.Match[str]) -> web.Response:
        user = self._find(match["key"])
        if user is None:
            return graph_error(404, "Request_ResourceNotFound", f"Resource '{match['key']}' does not exist.")
        return self.graph.collection(request, [d for d in self.devices if d["userId"] == user["id"]])

    async def _install(self, request: web.Request, match: re.Match[str]) -> web.Response:
        body = await request.json()
        bound = body.get("teamsApp@odata.bind", "")
        if not bound.endswith(tuple(f"/appCatalogs/teamsApps/{app}" for app in ("rakel-catalog-id",))):
            return graph_error(400, "BadRequest", "teamsApp@odata.bind is not an app in the catalog")
        apps = self.installed.setdefault(match["key"], [])
        if bound in apps:
            return graph_error(409, "Conflict", "App is already installed.")
        apps.append(bound)
        return web.Response(status=201)
