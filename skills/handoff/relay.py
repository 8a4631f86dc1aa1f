"""The relay between a user's 1:1 chat and the handoff's thread in the Kundeservice channel.

Each message is stored first, with the handoff's next sequence number, then delivered. Delivery goes
in sequence order, one process (or task) at a time per direction (a lease in the store): whoever
stores a message tries to deliver; if someone else holds the lease, the holder delivers it, since it
lets go only when nothing waits. A failed delivery stops the line there (nothing overtakes it) and
the background job tries again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from core.messages import IncomingAttachment, Reply
from core.pii import mask_personal_data
from core.ports import Messenger, UserNotReachable
from skills.handoff import texts
from store.handoffs import Attachment, Handoff, HandoffRepository, RelayMessage, Sender

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20  # with the background job's interval (15 s by default): about five minutes
STALLED_SECONDS = 5.0  # undelivered this long: the background job picks it up


def relayed_text(message: RelayMessage) -> str:
    """"**Kari Nordmann:** text", then a link per attachment."""
    lines = [texts.WROTE.format(name=message.sender_name, text=message.text).rstrip()]
    lines += [texts.ATTACHMENT.format(name=item.name, url=item.url) for item in message.attachments]
    return "\n\n".join(lines)


async def tell_agents(messenger: Messenger, handoff: Handoff, note: str) -> None:
    """A line for Kundeservice in the handoff's thread; best effort (the card shows the state too)."""
    if not handoff.thread_id:
        return
    try:
        await messenger.send_to_conversation(handoff.thread_id, Reply(text=note))
    except Exception:  # noqa: BLE001 - the state is in the store; a lost note loses nothing else
        log.warning("could not post a note in the handoff thread", extra={"handoff": handoff.id})


class Relay:
    def __init__(self, repository: HandoffRepository, messenger: Messenger) -> None:
        self._repository = repository
        self._messenger = messenger

    async def send(
        self,
        handoff: Handoff,
        sender: Sender,
        sender_name: str,
        text: str,
        attachments: tuple[IncomingAttachment, ...],
        activity_id: str,
        now: datetime,
    ) -> None:
        """Store one message from ``sender`` and deliver it (and any earlier ones still waiting)."""
        masked = mask_personal_data(text, known_names=[handoff.user_name, handoff.agent_name or ""]).text
        message = RelayMessage(
            handoff_id=handoff.id, seq=0, sender=sender, sender_name=sender_name, text=text, masked=masked,
            attachments=[Attachment(item.name, item.url) for item in attachments if item.url],
            created_at=now.timestamp(), received_at=time.time(),
        )
        if await self._repository.append(message, activity_id):
            await self.deliver(handoff, sender)

    async def deliver(self, handoff: Handoff, sender: Sender) -> None:
        """Deliver this direction's waiting messages in order, unless another process is doing it."""
        if not await self._repository.take_lease(handoff.id, sender):
            return  # the holder delivers our message too: it lets go only when nothing waits
        released = False
        try:
            while not released:
                for message in await self._repository.undelivered(handoff.id, sender):
                    if not await self._deliver_one(handoff, message):
                        return  # the line stops here; the background job tries again
                released = await self._repository.release_lease_when_done(handoff.id, sender)
        finally:
            if not released:
                await self._repository.release_lease(handoff.id, sender)

    async def _deliver_one(self, handoff: Handoff, message: RelayMessage) -> bool:
        """True when delivered (or given up for good); False to stop the line and retry later."""
        reply = Reply(text=relayed_text(message))
        try:
            if message.sender is Sender.USER:
                if not handoff.thread_id:
                    return False  # the card is not in the channel yet; the background job posts it
                await self._messenger.send_to_conversation(handoff.thread_id, reply)
            else:
                await self._messenger.send_to_user(handoff.user_id, reply)
        except UserNotReachable:
            await self._repository.delivery_failed(message, give_up=True)
            await tell_agents(self._messenger, handoff, texts.NOTE_UNREACHABLE.format(user=handoff.user_name))
            return True
        except Exception:  # noqa: BLE001 - the channel is down or throttling: keep the order, retry later
            attempts = await self._repository.delivery_failed(message, give_up=False)
            log.warning("relay delivery failed", extra={"handoff": handoff.id, "seq": message.seq, "attempts": attempts})
            if attempts < MAX_ATTEMPTS:
                return False
            await self._repository.delivery_failed(message, give_up=True)
            log.error("relay message given up", extra={"handoff": handoff.id, "seq": message.seq})
            return True
        await self._repository.delivered(message)
        return True

    async def resume_stalled(self) -> None:
        """Deliver what has waited too long (a failed attempt, or a process that stopped mid-delivery)."""
        for handoff_id, sender in await self._repository.stalled(time.time() - STALLED_SECONDS):
            if handoff := await self._repository.get(handoff_id):
                await self.deliver(handoff, sender)
