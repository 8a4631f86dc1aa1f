"""Install Rakel for a user (personal scope) through Microsoft Graph, so a 1:1 chat can be created
with someone who never opened her. Permission: TeamsAppInstallation.ReadWriteSelfForUser.All."""

from __future__ import annotations

from connectors.graph.client import GraphClient, GraphError


class GraphAppInstaller:
    def __init__(self, graph: GraphClient, catalog_app_id: str, graph_base_url: str) -> None:
        self._graph = graph
        self._bind = f"{graph_base_url.rstrip('/')}/appCatalogs/teamsApps/{catalog_app_id}"

    async def install_for(self, user_id: str) -> None:
        try:
            await self._graph.request(
                "POST", f"users/{user_id}/teamwork/installedApps", json_body={"teamsApp@odata.bind": self._bind}
            )
        except GraphError as error:
            if error.status == 409:  # already installed
                return
            raise
