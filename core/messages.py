"""Our own small conversation types. Skills read ``Incoming`` and send ``Reply``; ``bot/`` translates
them to and from Bot Framework activities, so skills never see botbuilder."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from core.language import Language
from core.pii import MaskedText, mask


@dataclass(frozen=True)
class UserProfile:
    id: str  # AAD object id when known, else the channel's user id
    channel_user_id: str  # Teams' "29:..." id
    name: str
    email: str  # UPN or e-mail; empty when the channel does not tell
    municipality: str | None  # from the e-mail domain; None when unknown
    is_staff: bool = False  # ROR-IKT's own staff


@dataclass(frozen=True)
class CardAction:
    """A button press on a card: Action.Execute (verb) or Action.Submit (data["verb"])."""

    verb: str
    data: dict[str, Any]
    card_activity_id: str | None = None  # the message holding the card, for updates


@dataclass(frozen=True)
class IncomingAttachment:
    name: str
    content_type: str
    url: str


@dataclass(frozen=True)
class Incoming:
    text: str
    language: Language
    conversation_id: str
    activity_id: str
    action: CardAction | None = None
    attachments: tuple[IncomingAttachment, ...] = ()
    truncated: bool = False  # the text was longer than we accept and was cut
    shared: bool = False  # a Teams channel or group chat, not the user's 1:1 chat with Rakel

    @cached_property
    def masked(self) -> MaskedText:
        """The text with personal data masked, once per message: what the history, feedback and stored
        answers keep (the raw ``text`` goes only where the user means it to, e.g. their own ticket)."""
        return mask(self.text)


@dataclass(frozen=True)
class Citation:
    title: str
    url: str
    snippet: str = ""


@dataclass(frozen=True)
class InlineImage:
    """A picture shown in the message itself (sent as a base64 data URI, so nobody needs a token to see it)."""

    name: str
    content_type: str  # image/png, image/jpeg or image/gif
    data: bytes


@dataclass
class Reply:
    """A message to the user: text and/or an Adaptive Card, with quick replies and citations."""

    text: str = ""
    card: dict[str, Any] | None = None
    suggestions: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    ai_generated: bool = False
    feedback: bool = False  # show Teams' thumbs up/down on this message
    images: list[InlineImage] = field(default_factory=list)


@dataclass
class ActionResult:
    """What a card action answers: a card that replaces the clicked one, and/or a message."""

    card: dict[str, Any] | None = None
    message: str = ""
