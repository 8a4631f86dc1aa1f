"""Device inventory and directory adapters: the CSV asset register (embedded default) and Intune +
Entra ID through Microsoft Graph (production). ``build_inventory`` picks one from settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from connectors.graph.client import GraphClient
from connectors.inventory.csv_source import CsvDirectory, CsvInventory, KnownUserId, RegisterFile
from connectors.inventory.intune import build_intune
from core.ports import DeviceInventory, Directory
from core.settings import Settings


def build_inventory(
    settings: Settings,
    graph: GraphClient | None,
    *,
    today: Callable[[], date],
    known_user_id: KnownUserId | None = None,
) -> tuple[DeviceInventory, Directory]:
    if settings.pc_inventory_source == "graph":
        if graph is None:
            raise ValueError("RAKEL_PC_INVENTORY_SOURCE=graph needs RAKEL_GRAPH_TENANT_ID and RAKEL_GRAPH_CLIENT_ID")
        return build_intune(graph, settings, today)
    register = RegisterFile(settings.pc_inventory_csv, settings.municipality_domains, today)
    return CsvInventory(register), CsvDirectory(register, known_user_id)
