"""The chat as a Pureservice ticket: who, when, the outcome the agent chose, and every message with
personal data masked."""

from __future__ import annotations

from datetime import UTC, datetime

from core.pii import mask
from core.ports import TicketAttachment, TicketDraft
from skills.handoff import texts
from skills.handoff.cards import clock_time, shorten
from skills.handoff.category import category_label, suggest_priority
from skills.handoff.hours import OpeningHours
from store.handoffs import Handoff, RelayMessage

_SUBJECT_CHARS = 80


def transcript_files(messages: list[RelayMessage], max_files: int) -> list[TicketAttachment]:
    """The pictures and files sent in the chat, in order, named by the message they came with (so two
    screenshots both called "image.png" stay two files)."""
    files = [TicketAttachment(f"{message.seq:03d}-{item.name}", item.content_type, item.data)
             for message in messages for item in message.attachments if item.data is not None]
    return files[:max_files]


def transcript_draft(handoff: Handoff, messages: list[RelayMessage], hours: OpeningHours, *,
                     max_files: int = 0) -> TicketDraft:
    """The ticket for a closed handoff, created resolved or open as the agent chose (also said in the
    description's second line), with the chat's pictures and files; the idempotency key is the handoff's,
    so filing twice never makes two."""
    started = handoff.claimed_at or handoff.requested_at
    day = hours.local(datetime.fromtimestamp(started, UTC)).strftime("%d.%m.%Y")
    lines = [
        texts.TICKET_HEADER.format(
            user=handoff.user_name, agent=handoff.agent_name, day=day, start=clock_time(hours, started),
            end=clock_time(hours, handoff.ended_at),
        ),
        texts.TICKET_OUTCOME.format(
            outcome=texts.TICKET_OUTCOME_RESOLVED if handoff.resolved else texts.TICKET_OUTCOME_OPEN
        ),
        texts.TICKET_CATEGORY.format(category=category_label(handoff.category)),
    ]
    if handoff.summary:
        lines.append(texts.TICKET_SUMMARY.format(summary=handoff.summary))
    lines += ["", texts.TICKET_TRANSCRIPT]
    lines += [
        texts.TICKET_LINE.format(time=clock_time(hours, message.created_at), who=message.sender_name,
                                 text=_with_links(message))
        for message in messages
    ] or [texts.TICKET_NO_MESSAGES]
    subject = (texts.TICKET_SUBJECT.format(summary=shorten(handoff.summary, _SUBJECT_CHARS))
               if handoff.summary else texts.TICKET_SUBJECT_EMPTY)
    return TicketDraft(
        subject=subject,
        description="\n".join(lines),
        category=handoff.category,
        priority=suggest_priority(handoff.summary, handoff.category),
        requester_email=handoff.user_email,
        requester_name=handoff.user_name,
        idempotency_key=f"handoff-{handoff.id}",
        attachments=transcript_files(messages, max_files),
        resolved=bool(handoff.resolved),
        solution=texts.TICKET_SOLUTION.format(agent=handoff.agent_name) if handoff.resolved else "",
    )


def _with_links(message: RelayMessage) -> str:
    names = [texts.TICKET_ATTACHMENT.format(name=mask(item.name)) for item in message.attachments]
    return " ".join([message.masked, *names]).strip()
