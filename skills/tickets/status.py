""""Mine saker" / "status på saken min": the user's own open and recently closed tickets, as a card.

Tickets come only from ``desk.tickets_for(the user's own e-mail)`` and the tickets Rakel itself filed for
that e-mail under the fallback requester (its own record, ``outbox.filed_for``): a number the user types is looked
for among those, never fetched by itself, so another person's ticket is never shown. Tickets still in
the outbox (queued, or refused and waiting for the user) are listed too.
"""

from __future__ import annotations

import asyncio
import logging
import re

from core.language import Language
from core.messages import ActionResult, CardAction, Reply
from core.pii import mask
from core.ports import TicketDesk
from core.settings import Settings
from skills.intents import load_intents
from skills.registry import Skill, card_action
from skills.tickets import cards, texts
from skills.turn import Turn
from store.tickets_outbox import OutboxRepository

log = logging.getLogger(__name__)

WAIT_FACTOR = 2  # the user waits for the list at most twice as long as for a "Send" click
_NUMBER = re.compile(r"(?<![\d.,])#?(\d{3,10})(?![\d.,]\d)")


class TicketStatusSkill(Skill):
    name = "ticket_status"
    intents = load_intents(__file__, "my_tickets")

    def __init__(self, settings: Settings, desk: TicketDesk, outbox: OutboxRepository) -> None:
        self._settings = settings
        self._desk = desk
        self._outbox = outbox

    async def on_message(self, turn: Turn, intent: str) -> None:
        await turn.send(await self._overview(turn, turn.language, _NUMBER.findall(turn.incoming.text)))

    @card_action(cards.LIST_VERB)
    async def refresh(self, turn: Turn, action: CardAction) -> ActionResult:
        language = Language(action.data["language"]) if action.data.get("language") in set(Language) else turn.language
        reply = await self._overview(turn, language, [])
        return ActionResult(card=reply.card, message="" if reply.card else reply.text)

    async def _overview(self, turn: Turn, language: Language, asked: list[str]) -> Reply:
        settings = self._settings
        suggestions = [texts.CREATE_TICKET(language)]
        if not turn.user.email:
            return Reply(text=texts.NO_EMAIL(language, phone=settings.kundeservice_phone),
                         suggestions=suggestions)
        waiting = await self._outbox.waiting_for(turn.user.id)
        try:
            filed_for = await self._outbox.filed_for(turn.user.email)  # under the fallback requester
            tickets = await asyncio.wait_for(self._desk.tickets_for(turn.user.email, filed_for),
                                             settings.tickets_send_wait_seconds * WAIT_FACTOR)
        except Exception as error:  # noqa: BLE001 - outage, timeout, refusal: a friendly word, never a trace
            log.warning("looking up a user's tickets failed", extra={"error": mask(repr(error))[:300]})
            return Reply(text=texts.DESK_DOWN(language), suggestions=[texts.MY_TICKETS_SUGGESTION(language)])
        note = ""
        if asked:
            mine = [ticket for ticket in tickets if ticket.number in asked]
            if mine:
                tickets, waiting = mine, []
            else:
                note = texts.NOT_AMONG_YOURS(language, number=asked[0])
        card = cards.my_tickets_card(tickets, waiting, language, settings.timezone, note)
        return Reply(card=card, suggestions=suggestions)
