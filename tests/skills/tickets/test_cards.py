"""Every ticket card is a valid Adaptive Card 1.5, and only a draft that can still be sent has "Send"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.local_desk.repository import LocalTicket
from core.cards import validate_card
from core.language import Language
from core.ports import TicketSummary
from skills.tickets import cards
from store.tickets_outbox import OutboxEntry
from store.tickets_requests import StoredFile, TicketRequest

REQUEST = TicketRequest(
    id="abc", conversation_id="a:1", user_id="u1", user_name="Kari Nordmann", user_email="kari@molde.kommune.no",
    language="nb", subject="Skriveren skriver ikke", description="Den blinker oransje.", category="printing",
    priority="high", phone="912 34 567", notices=("fnr_removed", "cut"),
    files=(StoredFile("skjerm.png", "image/png", "http://x/skjerm.png", 10, b"0123456789"),
           StoredFile("video.mp4", "video/mp4", "http://x/video.mp4", problem="too_large")),
)
TICKET = TicketSummary(id="7", number="24001", subject="Skriveren skriver ikke", status="Ny", is_open=True,
                       updated=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), url="https://ps.example/agent/app#/ticket/24001")
WAITING = OutboxEntry(key="rakel:x", draft_json="{}", subject="VPN faller ut", requester_email="kari@molde.kommune.no",
                      notify_user_id="u1", language="nb", state="pending", attempts=2, next_attempt_at=0, in_doubt_until=0,
                      last_error="", ticket=None, notify_state="pending",
                      notify_attempts=0, created_at=0, updated_at=0)
LOCAL = LocalTicket(id="t1", number="1001", subject="Skriveren skriver ikke", description="Den blinker " * 500,
                    category="printing", priority="high", requester_email="kari@molde.kommune.no",
                    requester_name="Kari Nordmann", phone="912 34 567", status="Ny", created_at=0, updated_at=0,
                    attachment_names=("skjerm.png",))


def all_cards(language: Language) -> dict[str, dict]:
    notices = cards.notices_of(REQUEST, language, 5, 5 * 1024 * 1024)
    closed = TicketSummary(**{**TICKET.__dict__, "is_open": False, "status": "Løst", "url": ""})
    return {
        "draft": cards.draft_card(REQUEST, language, notices),
        "draft with error": cards.draft_card(REQUEST, language, notices, error="Skriv et emne"),
        "refused draft": cards.draft_card(REQUEST, language, notices, failure="Saken ble ikke tatt imot"),
        "created": cards.created_card(REQUEST.subject, TICKET, language, notices),
        "created without a link": cards.created_card(REQUEST.subject, closed, language),
        "queued": cards.queued_card(REQUEST, language, notices, ["29:kari"]),
        "sending": cards.sending_card(REQUEST, language, ["29:kari"]),
        "cancelled": cards.cancelled_card(language),
        "my tickets": cards.my_tickets_card([TICKET, closed], [WAITING], language, "Europe/Oslo", "Fant ikke 1"),
        "no tickets": cards.my_tickets_card([], [], language, "Europe/Oslo"),
        "channel": cards.channel_card(LOCAL),
    }


DRAFTS = {"draft", "draft with error", "refused draft"}


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("name", list(all_cards(Language.BOKMAAL)))
def test_every_card_is_valid(language, name):
    validate_card(all_cards(language)[name])


def test_only_drafts_have_a_send_button_and_cancel_ignores_the_inputs():
    for name, card in all_cards(Language.BOKMAAL).items():
        verbs = [action.get("verb") for action in card.get("actions", [])]
        assert ("tickets.send" in verbs) == (name in DRAFTS), name
    draft = all_cards(Language.BOKMAAL)["draft"]
    assert draft["actions"][1]["associatedInputs"] == "none"


def test_the_draft_names_its_files_and_says_what_became_of_the_rest():
    text = str(all_cards(Language.BOKMAAL)["draft"])
    assert "skjerm.png" in text
    assert "«video.mp4» er for stor til å legges ved (over 5 MB)" in text
    assert "Jeg fjernet et fødselsnummer" in text and "over 10 000 tegn" in text


def test_the_channel_card_shortens_a_long_description():
    [description] = [b["text"] for b in cards.channel_card(LOCAL)["body"] if b.get("text", "").startswith("Den blinker")]
    assert len(description) <= cards.MAX_CHANNEL_TEXT + 2 and description.endswith("…")
