"""The relay between a user's 1:1 chat and the handoff's thread in the Kundeservice channel.

Each message is stored first, with the handoff's next sequence number, then delivered. Delivery goes
in sequence order, one process (or task) at a time per direction (a lease with heartbeats): whoever
stores a message tries to deliver; if someone else holds the lease, the holder delivers it, since it
lets go only when nothing waits, and if the holder died its lease runs out within seconds and the
sender looks again then. A failed delivery stops the line there (nothing overtakes it) and the
background job tries again. Each send is marked in flight first; at shutdown the sends under way
finish and the leases go back, so a redeploy neither waits nor sends anything twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from core.language import Language
from core.messages import IncomingAttachment, InlineImage, Reply
from core.pii import mask_personal_data
from core.ports import FileFetcher, Messenger, UserNotReachable
from skills.handoff import texts
from skills.handoff.pictures import inline_image
from skills.tickets.attachments import fetch_files, human_size
from store.handoffs import RELAY_LEASE_TTL_SECONDS, Handoff, HandoffRepository, RelayMessage, Sender
from store.tickets_requests import AttachmentRef, StoredFile

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20  # with the background job's interval (15 s by default): about five minutes
STALLED_SECONDS = 5.0  # undelivered this long: the background job picks it up
LOOK_AGAIN_MARGIN_SECONDS = 0.3
DRAIN_SECONDS = 10.0


@dataclass(frozen=True)
class FileLimits:
    """How many files one message may carry, how big each may be, how long a download may take, and the
    largest picture shown inline."""

    max_files: int
    max_bytes: int
    timeout: float
    inline_bytes: int


def _file_line(item: StoredFile, shown: bool, to_user: bool, language: Language, limit: int) -> str | None:
    """What the reader is told about one file (None: the picture itself is shown)."""
    if shown:
        return None
    if item.problem == "too_large":
        return (texts.FILE_TOO_LARGE_FOR_USER(language, name=item.name, limit=human_size(limit)) if to_user
                else texts.FILE_TOO_LARGE.format(name=item.name, limit=human_size(limit)))
    if item.problem or item.data is None:
        return texts.FILE_NOT_FETCHED_FOR_USER(language, name=item.name) if to_user else texts.FILE_NOT_FETCHED.format(
            name=item.name)
    size = human_size(len(item.data))
    return (texts.FILE_IN_TICKET_FOR_USER(language, name=item.name, size=size) if to_user
            else texts.FILE_IN_TICKET.format(name=item.name, size=size))


async def relayed_reply(message: RelayMessage, handoff: Handoff, limits: FileLimits) -> Reply:
    """"**Kari Nordmann:** text", the pictures inline, and a line for every file that is not shown."""
    to_user = message.sender is Sender.AGENT
    language = Language(handoff.language) if to_user else Language.BOKMAAL
    images: list[InlineImage] = []
    lines = [texts.WROTE.format(name=message.sender_name, text=message.text).rstrip()]
    for item in message.attachments:
        image = await inline_image(item, limits.inline_bytes)
        if image is not None:
            images.append(image)
        if (line := _file_line(item, image is not None, to_user, language, limits.max_bytes)) is not None:
            lines.append(line)
    return Reply(text="\n\n".join(lines), images=images)


def sender_warnings(files: list[StoredFile], language: Language, limit: int) -> list[str]:
    """What the sender should hear about files that did not make it (too large, not fetched)."""
    warnings = []
    for item in files:
        if item.problem == "too_large":
            warnings.append(texts.NOT_DELIVERED_TOO_LARGE(language, name=item.name, limit=human_size(limit)))
        elif item.problem:
            warnings.append(texts.NOT_DELIVERED_UNAVAILABLE(language, name=item.name))
    return warnings


async def tell_agents(messenger: Messenger, handoff: Handoff, note: str) -> None:
    """A line for Kundeservice in the handoff's thread; best effort (the card shows the state too)."""
    if not handoff.thread_id:
        return
    try:
        await messenger.send_to_conversation(handoff.thread_id, Reply(text=note))
    except Exception:  # noqa: BLE001 - the state is in the store; a lost note loses nothing else
        log.warning("could not post a note in the handoff thread", extra={"handoff": handoff.id})


class Relay:
    def __init__(self, repository: HandoffRepository, messenger: Messenger, files: FileFetcher | None,
                 limits: FileLimits) -> None:
        self._repository = repository
        self._messenger = messenger
        self._files = files
        self.limits = limits
        self._sending: set[asyncio.Task[bool]] = set()
        self._looks: dict[tuple[str, Sender], asyncio.Task[None]] = {}
        self._closing = False
        self.resent = 0  # messages sent again after another process stopped mid-send

    async def fetch(self, attachments: tuple[IncomingAttachment, ...]) -> list[StoredFile]:
        """Download what was sent, with the bot's credentials where Teams needs them, within the limits."""
        refs = [AttachmentRef(item.name, item.content_type, item.url) for item in attachments]
        if not refs:
            return []
        return list(await fetch_files(refs, self._files, max_files=self.limits.max_files,
                                      max_bytes=self.limits.max_bytes, timeout=self.limits.timeout))

    async def send(
        self,
        handoff: Handoff,
        sender: Sender,
        sender_name: str,
        text: str,
        files: list[StoredFile],
        activity_id: str,
        now: datetime,
    ) -> None:
        """Store one message from ``sender`` (its files fetched already) and deliver it (and any earlier
        ones still waiting)."""
        masked = mask_personal_data(text, known_names=[handoff.user_name, handoff.agent_name or ""]).text
        message = RelayMessage(
            handoff_id=handoff.id, seq=0, sender=sender, sender_name=sender_name, text=text, masked=masked,
            attachments=files, created_at=now.timestamp(), received_at=time.time(),
        )
        await self._repository.append(message, activity_id)  # False: Teams sent it twice, it is stored
        # Deliver either way: a repeat comes after the first process failed to answer (it may have died
        # mid-delivery), and the lease makes this cheap when there is nothing to do.
        await self.deliver(handoff, sender)

    async def deliver(self, handoff: Handoff, sender: Sender) -> None:
        """Deliver this direction's waiting messages in order, unless another process is doing it."""
        if not await self._repository.take_lease(handoff.id, sender):
            # A live holder delivers our message too (it lets go only when nothing waits); a dead one's
            # lease runs out within seconds, so look again then instead of at the next upkeep round.
            if not self._repository.holds_lease(handoff.id, sender):  # held here: alive, no need
                self._look_again_later(handoff, sender)
            return
        released = False
        try:
            while not released:
                for message in await self._repository.undelivered(handoff.id, sender):
                    if not self._repository.holds_lease(handoff.id, sender):
                        return  # we stalled past the lease; whoever took it over goes on from here
                    if not await self._deliver_one(handoff, message):
                        return  # the line stops here; the background job tries again
                released = await self._repository.release_lease_when_done(handoff.id, sender)
        finally:
            if not released:
                await self._repository.release_lease(handoff.id, sender)

    def _look_again_later(self, handoff: Handoff, sender: Sender) -> None:
        key = (handoff.id, sender)
        if key in self._looks or self._closing:
            return

        async def look() -> None:
            await asyncio.sleep(RELAY_LEASE_TTL_SECONDS + LOOK_AGAIN_MARGIN_SECONDS)
            self._looks.pop(key, None)
            if await self._repository.undelivered(handoff.id, sender):
                await self.deliver(handoff, sender)

        task = asyncio.ensure_future(look())
        self._looks[key] = task
        task.add_done_callback(lambda done: None if done.cancelled() else done.exception())

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Shutdown: let the sends under way finish and be recorded (a send cut off after the channel took
        it would be sent again by the next process), stop looking again; the leases go back with the store."""
        self._closing = True
        for task in self._looks.values():
            task.cancel()
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=timeout)

    async def _deliver_one(self, handoff: Handoff, message: RelayMessage) -> bool:
        """True when delivered (or given up for good); False to stop the line and retry later. The send
        runs shielded, so a shutdown that cancels its caller still records what the channel took."""
        reply = await relayed_reply(message, handoff, self.limits)
        if message.in_flight_since is not None:
            self.resent += 1  # a process stopped mid-send: the channel cannot tell us whether it arrived
            log.warning("relay message sent again after an interrupted send", extra={"handoff": handoff.id,
                                                                                     "seq": message.seq})
        await self._repository.mark_in_flight(message)
        sending = asyncio.ensure_future(self._send(handoff, message, reply))
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)
        return await asyncio.shield(sending)

    async def _send(self, handoff: Handoff, message: RelayMessage, reply: Reply) -> bool:
        try:
            if message.sender is Sender.USER:
                if not handoff.thread_id:
                    return False  # the card is not in the channel yet; the background job posts it
                activity_id = await self._messenger.send_to_conversation(handoff.thread_id, reply)
            else:
                activity_id = await self._messenger.send_to_user(handoff.user_id, reply)
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
        await self._repository.delivered(message, activity_id or "")
        return True

    async def resume_stalled(self) -> None:
        """Deliver what has waited too long (a failed attempt, or a process that stopped mid-delivery)."""
        for handoff_id, sender in await self._repository.stalled(time.time() - STALLED_SECONDS):
            if handoff := await self._repository.get(handoff_id):
                await self.deliver(handoff, sender)
