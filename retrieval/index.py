"""The search index from settings: the local SQLite index (embedded default) or Azure AI Search."""

from __future__ import annotations

from contextlib import AsyncExitStack

from core.settings import SearchBackend, Settings
from retrieval.azure_index import build_azure_index
from retrieval.local_index import LocalIndex
from retrieval.model import SearchIndex


def build(settings: Settings, resources: AsyncExitStack) -> SearchIndex:
    """The index ``RAKEL_SEARCH_BACKEND`` names, closed with ``resources``."""
    if settings.search_backend is SearchBackend.AZURE:
        azure = build_azure_index(settings)
        resources.push_async_callback(azure.close)
        return azure
    local = LocalIndex.from_settings(settings)
    resources.callback(local.close)
    return local
