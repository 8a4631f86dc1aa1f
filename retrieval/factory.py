"""Build the search index, its document sources and the embedder from settings.

Adding a source is one line in ``SOURCE_FACTORIES``: a function from settings (and the index, for
sources that skip unchanged pages cheaply) to the sources it adds, registering on the exit stack
whatever client it opens so that ``open_knowledge`` closes it again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from connectors.graph.client import build_graph_client
from connectors.llm import build_llm
from connectors.pureservice.client import PureserviceClient
from connectors.pureservice.desk import PureserviceTicketDesk
from core.ports import Llm
from core.settings import SearchBackend, Settings, SettingsError
from retrieval.azure_index import build_azure_index
from retrieval.local_index import LocalIndex
from retrieval.model import DocumentSource, SearchIndex
from retrieval.sources.local_folder import LocalFolderSource
from retrieval.sources.local_tickets import LocalTicketSource
from retrieval.sources.pureservice import PureserviceTicketSource
from retrieval.sources.sharepoint import build_sharepoint_sources

SourceFactory = Callable[[Settings, SearchIndex, AsyncExitStack], list[DocumentSource]]


def _local_folder(settings: Settings, index: SearchIndex, stack: AsyncExitStack) -> list[DocumentSource]:
    return [LocalFolderSource(settings.corpus_dir)]


def _local_tickets(settings: Settings, index: SearchIndex, stack: AsyncExitStack) -> list[DocumentSource]:
    return [LocalTicketSource(settings.tickets_export_path)]


def _sharepoint(settings: Settings, index: SearchIndex, stack: AsyncExitStack) -> list[DocumentSource]:
    graph = build_graph_client(settings)
    if graph is None or not settings.sharepoint_sites:
        raise SettingsError(
            "RAKEL_GRAPH_TENANT_ID, RAKEL_GRAPH_CLIENT_ID and RAKEL_SHAREPOINT_SITES: required for SharePoint"
        )
    stack.push_async_callback(graph.close)
    return list(build_sharepoint_sources(settings, graph, known_versions=index.versions))


def _pureservice(settings: Settings, index: SearchIndex, stack: AsyncExitStack) -> list[DocumentSource]:
    if not settings.pureservice_url:
        raise SettingsError("RAKEL_PURESERVICE_URL: required for the Pureservice ticket source")
    client = PureserviceClient.from_settings(settings)
    stack.push_async_callback(client.close)
    return [PureserviceTicketSource(PureserviceTicketDesk.from_settings(settings, client))]


SOURCE_FACTORIES: dict[str, SourceFactory] = {
    "local": _local_folder,
    "tickets": _local_tickets,
    "sharepoint": _sharepoint,
    "pureservice": _pureservice,
}


def default_source_names(settings: Settings) -> list[str]:
    """Pages from SharePoint when sites are configured, else the local folder; tickets likewise."""
    pages = "sharepoint" if settings.sharepoint_sites else "local"
    tickets = "pureservice" if settings.pureservice_url else "tickets"
    return [pages, tickets]


@dataclass
class Knowledge:
    index: SearchIndex
    sources: list[DocumentSource]
    embedder: Llm | None


@asynccontextmanager
async def open_knowledge(settings: Settings, source_names: Sequence[str] | None = None) -> AsyncIterator[Knowledge]:
    """The index, the named sources (default: ``default_source_names``) and the embedder, closed on exit."""
    async with AsyncExitStack() as stack:
        index = build_index(settings, stack)
        sources: list[DocumentSource] = []
        for name in source_names or default_source_names(settings):
            sources.extend(SOURCE_FACTORIES[name](settings, index, stack))
        yield Knowledge(index, sources, build_embedder(settings, stack))


def build_index(settings: Settings, stack: AsyncExitStack) -> SearchIndex:
    if settings.search_backend is SearchBackend.AZURE:
        azure = build_azure_index(settings)
        stack.push_async_callback(azure.close)
        return azure
    local = LocalIndex.from_settings(settings)
    stack.callback(local.close)
    return local


def build_embedder(settings: Settings, stack: AsyncExitStack) -> Llm | None:
    """The LLM port when an embedding model is configured; vectors are optional everywhere."""
    if not settings.llm_embedding_model:
        return None
    llm = build_llm(settings)
    if llm is None:
        return None
    stack.push_async_callback(llm.close)
    return llm
