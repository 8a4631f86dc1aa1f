"""Document sources: each yields SourceDocuments for the index (see retrieval.model.DocumentSource).

Adding a source is one line in ``SOURCE_FACTORIES``: a function from settings, the index (for sources
that skip unchanged pages cheaply) and the adapters the composition root built, to the sources it adds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from connectors.graph.client import GraphClient
from connectors.pureservice.desk import PureserviceTicketDesk
from core.settings import Settings, SettingsError
from retrieval.model import DocumentSource, SearchIndex
from retrieval.sources.local_folder import LocalFolderSource
from retrieval.sources.local_tickets import LocalTicketSource
from retrieval.sources.pureservice import PureserviceTicketSource
from retrieval.sources.sharepoint import build_sharepoint_sources


@dataclass(frozen=True)
class SourceAdapters:
    """The connections sources read through (None when not configured)."""

    graph: GraphClient | None = None
    pureservice: PureserviceTicketDesk | None = None


SourceFactory = Callable[[Settings, SearchIndex, SourceAdapters], list[DocumentSource]]


def _local_folder(settings: Settings, index: SearchIndex, adapters: SourceAdapters) -> list[DocumentSource]:
    return [LocalFolderSource(settings.corpus_dir)]


def _local_tickets(settings: Settings, index: SearchIndex, adapters: SourceAdapters) -> list[DocumentSource]:
    return [LocalTicketSource(settings.tickets_export_path, municipality_domains=settings.municipality_domains)]


def _sharepoint(settings: Settings, index: SearchIndex, adapters: SourceAdapters) -> list[DocumentSource]:
    if adapters.graph is None or not settings.sharepoint_sites:
        raise SettingsError(
            "RAKEL_GRAPH_TENANT_ID, RAKEL_GRAPH_CLIENT_ID and RAKEL_SHAREPOINT_SITES: required for SharePoint"
        )
    return list(build_sharepoint_sources(settings, adapters.graph, known_versions=index.versions))


def _pureservice(settings: Settings, index: SearchIndex, adapters: SourceAdapters) -> list[DocumentSource]:
    if adapters.pureservice is None:
        raise SettingsError("RAKEL_PURESERVICE_URL: required for the Pureservice ticket source")
    return [PureserviceTicketSource(adapters.pureservice, municipality_domains=settings.municipality_domains)]


SOURCE_FACTORIES: dict[str, SourceFactory] = {
    "local": _local_folder,
    "tickets": _local_tickets,
    "sharepoint": _sharepoint,
    "pureservice": _pureservice,
}
GRAPH_SOURCES = frozenset({"sharepoint"})
PURESERVICE_SOURCES = frozenset({"pureservice"})


def default_source_names(settings: Settings) -> list[str]:
    """Pages from SharePoint when sites are configured, else the local folder; tickets likewise."""
    pages = "sharepoint" if settings.sharepoint_sites else "local"
    tickets = "pureservice" if settings.pureservice_url else "tickets"
    return [pages, tickets]


def build(
    settings: Settings, names: Sequence[str], index: SearchIndex, adapters: SourceAdapters
) -> list[DocumentSource]:
    return [source for name in names for source in SOURCE_FACTORIES[name](settings, index, adapters)]
