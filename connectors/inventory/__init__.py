"""Device inventory and directory adapters: the CSV asset register (embedded default) and Intune +
Entra ID through Microsoft Graph (production). ``build_inventory`` picks one from settings; ``build``
adds the Graph client they need and the Teams app installer of the PC campaign."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from connectors.graph.app_installer import GraphAppInstaller
from connectors.graph.client import GraphClient, build_graph_client
from connectors.inventory.csv_source import CsvDirectory, CsvInventory, KnownUserId, RegisterFile
from connectors.inventory.graph_users import GraphUserResolver
from connectors.inventory.intune import build_intune
from core.lifecycle import Lifecycle
from core.ports import AppInstaller, DeviceInventory, Directory
from core.settings import Settings


@dataclass(frozen=True)
class PcAdapters:
    inventory: DeviceInventory
    directory: Directory
    installer: AppInstaller | None  # installs Rakel for people who never opened her, when configured


def build(
    settings: Settings, life: Lifecycle, *, today: Callable[[], date], known_user_id: KnownUserId | None = None,
) -> PcAdapters:
    """The CSV register or Intune + Entra ID, and Teams app installs through Graph (issue 7)."""
    graph = build_graph_client(settings)  # configured: Intune, or Entra ids and managers for the CSV register
    if graph is not None:
        life.closes(graph.close)
    inventory, directory = build_inventory(settings, graph, today=today, known_user_id=known_user_id)
    installer = (GraphAppInstaller(graph, settings.pc_teams_app_catalog_id, settings.graph_base_url)
                 if graph is not None and settings.pc_teams_app_catalog_id else None)
    return PcAdapters(inventory, directory, installer)


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
    entra = GraphUserResolver(graph, cache_seconds=settings.user_cache_seconds) if graph is not None else None
    return CsvInventory(register), CsvDirectory(register, known_user_id, entra)
