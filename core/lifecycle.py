"""What an adapter built at start-up needs from the service around it: to be closed at shutdown, a
readiness check in /readyz, a background job that runs until cancelled. Each package's build function
registers these here, so the composition root does not need to know which adapter needs what."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

ReadinessCheck = Callable[[], Awaitable[None]]  # raises when the dependency is not usable
StartCheck = Callable[[], Awaitable[None]]  # runs once at start-up; raises SettingsError to refuse to start


class NotReady(Exception):
    """A readiness check's finding in words an operator can act on (shown in /readyz, so no secrets)."""
BackgroundJob = Callable[[], Awaitable[None]]  # runs until cancelled at shutdown, surviving its own errors


@dataclass
class Lifecycle:
    resources: AsyncExitStack = field(default_factory=AsyncExitStack)
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    background: dict[str, BackgroundJob] = field(default_factory=dict)
    start_checks: list[StartCheck] = field(default_factory=list)

    def closes(self, close: Callable[[], Awaitable[object]]) -> None:
        self.resources.push_async_callback(close)

    def checks(self, name: str, check: ReadinessCheck) -> None:
        self.readiness[name] = check

    def verifies(self, check: StartCheck) -> None:
        """``check`` runs once when the service starts (``start``), e.g. that configured names exist."""
        self.start_checks.append(check)

    async def start(self) -> None:
        for check in self.start_checks:
            await check()

    def runs(self, name: str, job: BackgroundJob) -> None:
        if name in self.background:
            raise ValueError(f"two background jobs are named {name!r}")
        self.background[name] = job

    async def close(self) -> None:
        await self.resources.aclose()
