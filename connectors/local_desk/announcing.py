"""The local ticket desk, with every new ticket posted as a card in Kundeservice's Teams channel.

Posting is claimed per ticket (one process posts it) and retried by a background job when Teams
refuses, so a ticket is announced once even with several bot processes and a restart in between.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from connectors.local_desk.repository import LocalTicket, LocalTicketDesk
from core.messages import Reply
from core.ports import Messenger, TicketDraft, TicketSummary

log = logging.getLogger(__name__)


class AnnouncingLocalDesk:
    """A TicketDesk: the local desk's tickets, announced in ``channel_id`` (when one is set) as ``card``
    draws them (the tickets skill's channel card)."""

    def __init__(
        self,
        desk: LocalTicketDesk,
        messenger: Messenger,
        channel_id: str,
        card: Callable[[LocalTicket], dict[str, Any]],
        clock: Callable[[], datetime],
        *,
        interval: float,
        retry_seconds: float,
    ) -> None:
        self.local = desk
        self._messenger = messenger
        self._channel_id = channel_id
        self._card = card
        self._clock = clock
        self._interval = interval
        self._retry_seconds = retry_seconds
        self._posts: set[asyncio.Task[None]] = set()

    async def create_ticket(
        self, draft: TicketDraft, *, sending: Callable[[], Awaitable[None]] | None = None
    ) -> TicketSummary:
        ticket = await self.local.create_ticket(draft)
        if self._channel_id:  # posted beside the click, not in its way; the job retries what fails
            task = asyncio.ensure_future(self.announce(ticket.id))
            self._posts.add(task)
            task.add_done_callback(self._posts.discard)
        return ticket

    async def find_ticket(self, idempotency_key: str) -> TicketSummary | None:
        return await self.local.find_ticket(idempotency_key)

    async def tickets_for(self, requester_email: str, filed_for: Sequence[str] = ()) -> list[TicketSummary]:
        return await self.local.tickets_for(requester_email, filed_for)

    async def add_note(self, ticket_id: str, text: str) -> None:
        await self.local.add_note(ticket_id, text)

    async def resolve_ticket(self, ticket_id: str, solution: str) -> None:
        await self.local.resolve_ticket(ticket_id, solution)

    async def check(self) -> None:
        await self.local.check()

    async def announce(self, ticket_id: str) -> None:
        if not await self.local.claim_announcement(ticket_id, self._clock().timestamp()):
            return
        try:
            ticket = await self.local.get(ticket_id)
            posted = await self._messenger.start_thread(self._channel_id, Reply(card=self._card(ticket)))
        except Exception as error:  # noqa: BLE001 - Teams refused or is down: the job posts it later
            log.warning("could not post a new ticket in the Kundeservice channel", extra={"error": repr(error)})
            await self.local.announce_later(ticket_id, self._clock().timestamp() + self._retry_seconds)
            return
        except BaseException:
            await self.local.announce_later(ticket_id, 0.0)  # cancelled (shutdown): another process posts it
            raise
        await self.local.announced(ticket_id, posted.conversation_id, self._clock().timestamp())

    async def run(self) -> None:
        """Until cancelled: post tickets that are not in the channel yet."""
        try:
            while True:
                try:
                    for ticket_id in await self.local.unannounced(self._clock().timestamp()):
                        await self.announce(ticket_id)
                except Exception:  # noqa: BLE001 - logged; tried again next round
                    log.exception("announcing tickets failed a round")
                await asyncio.sleep(self._interval)
        finally:
            for task in list(self._posts):
                task.cancel()
            await asyncio.gather(*self._posts, return_exceptions=True)

    @property
    def announces(self) -> bool:
        return bool(self._channel_id)
