"""Talk to a human: the request card in Kundeservice's channel, the queue, the claim, the relay both
ways, the end with a transcript ticket and feedback. Through the real bot endpoint, clock frozen on an
ordinary Monday morning."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from core.cards import validate_card
from core.ports import FilingState, TicketDeskError, TicketSummary
from store.handoffs import HandoffState
from tests.harness import KARI, OLA, SIRI, cards_of, text_of
from tests.skills.handoff.conftest import (
    CHANNEL,
    LISE,
    PER,
    DeskDown,
    agent_clicks,
    agent_says,
    buttons,
    filed_tickets,
    handoff_id_of,
    request_card,
    response_card,
    settle,
    the_thread,
    thread_texts,
    wait_for_tickets,
)


async def queue(bot, user=KARI, text="kan jeg snakke med et menneske") -> tuple[str, str]:
    """The user asks for a person; returns (thread id, handoff id)."""
    [reply] = await bot.channel.say(user, text)
    [card] = cards_of(reply)
    validate_card(card)
    thread = bot.connector.channel_threads(CHANNEL)[-1]
    return thread, handoff_id_of(request_card(bot, thread))


async def claimed(bot, agent=PER, user=KARI) -> tuple[str, str]:
    thread, handoff_id = await queue(bot, user)
    before = len(bot.connector.replies(user.conversation_id))
    response_card(await agent_clicks(bot, agent, thread, "handoff.claim", {"handoff_id": handoff_id}))
    await bot.connector.wait_for(user.conversation_id, before + 1)
    return thread, handoff_id


# --- asking -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["kan jeg snakke med et menneske", "eg vil snakke med nokon", "agent please",
                                  "Snakk med et menneske"])
async def test_each_way_of_asking_puts_the_user_in_the_queue(bot, text):
    [reply] = await bot.channel.say(KARI, text)
    assert "i køen" in text_of(reply) or "in the queue" in text_of(reply)
    assert len(bot.connector.channel_threads(CHANNEL)) == 1


async def test_the_request_card_tells_kundeservice_who_what_and_what_rakel_suggested(bot):
    await bot.channel.say(KARI, "Hvordan legger jeg til en skriver?")
    replies = await bot.channel.say(KARI, "Skriveren står i 2. etg., mobilen min er 912 34 567")
    answer = [reply for reply in replies if reply.get("text")][-1]
    thread, _ = await queue(bot)
    card = request_card(bot, thread)
    shown = text_of({"attachments": [{"content": card}]})
    assert "Kari Nordmann vil chatte med Kundeservice" in shown
    assert "Kommune Molde" in shown and "E-post kari.nordmann@molde.kommune.no" in shown
    assert "Foreslått kategori Utskrift" in shown
    assert "Hva det gjelder:** Skriveren står i 2. etg., mobilen min er [telefon]" in shown
    assert "Bruker: Hvordan legger jeg til en skriver?" in shown
    assert "912 34 567" not in shown  # the last messages are masked
    first_words = " ".join(answer["text"].split()[:6])
    assert f"Rakel har foreslått:** {first_words}" in shown
    assert "Status Venter i kø" in shown
    assert buttons(card) == [("Ta saken", "handoff.claim")]


async def test_the_user_hears_their_place_in_the_queue(bot):
    await queue(bot, KARI)
    [reply] = await bot.channel.say(OLA, "kan jeg snakke med et menneske")
    assert "Du er nr. 2 i køen" in text_of(reply)
    assert [action["data"]["msteams"]["value"] for action in cards_of(reply)[0]["actions"]] == ["avbryt"]


async def test_ror_ikt_staff_are_shown_as_such_and_english_is_answered_in_english(bot):
    [reply] = await bot.channel.say(SIRI, "agent please, my VPN has not worked since this morning")
    assert "You are number 1 in the queue" in text_of(reply)
    shown = text_of({"attachments": [{"content": request_card(bot, the_thread(bot))}]})
    assert "Kommune ROR-IKT" in shown and "Foreslått kategori Fjerntilgang" in shown
    assert "Hva det gjelder:** agent please, my VPN has not worked since this morning" in shown


async def test_the_knowledge_skills_button_starts_a_handoff_with_the_question(bot):
    result = await bot.channel.click(KARI, "handoff.start", {"question": "Outlook krasjer, tlf 41234567"})
    card = response_card(result)
    assert "Du er nr. 1 i køen" in text_of({"attachments": [{"content": card}]})
    shown = text_of({"attachments": [{"content": request_card(bot, the_thread(bot))}]})
    assert "Outlook krasjer, tlf [telefon]" in shown and "E-post, Teams og Microsoft 365" in shown


async def test_a_double_click_on_the_button_queues_the_user_once(bot):
    first, second = await asyncio.gather(
        bot.channel.click(KARI, "handoff.start", {"question": "VPN"}),
        bot.channel.click(KARI, "handoff.start", {"question": "VPN"}),
    )
    texts = [text_of({"attachments": [{"content": response_card(result)}]}) for result in (first, second)]
    assert sum("Du er nr. 1 i køen" in text for text in texts) == 1
    assert sum("Du står allerede i køen" in text for text in texts) == 1
    assert len(bot.connector.channel_threads(CHANNEL)) == 1


async def test_writing_while_waiting_reaches_the_thread_and_no_bot_answer_comes(bot):
    thread, _ = await queue(bot)
    [reply] = await bot.channel.say(KARI, "Hvordan bytter jeg passord?")
    assert text_of(reply) == "Kundeservice ser meldingen din. Du er nr. 1 i køen."
    assert await thread_texts(bot, thread, 1) == ["**Kari Nordmann:** Hvordan bytter jeg passord?"]


@pytest.mark.parametrize(("text", "noted"), [
    ("eg ventar", "Du er nr. 1 i køen"), ("I'll wait", "You are number 1 in the queue"),
    ("ok, jeg venter på tur", "Du er nr. 1 i køen"),
])
async def test_saying_one_waits_in_the_queue_is_relayed_not_taken_as_leaving(bot, text, noted):
    thread, handoff_id = await queue(bot)
    [reply] = await bot.channel.say(KARI, text)
    assert noted in text_of(reply)
    assert await thread_texts(bot, thread, 1) == [f"**Kari Nordmann:** {text}"]
    assert (await bot.runtime.store.handoffs.get(handoff_id)).state is HandoffState.WAITING


async def test_an_empty_message_in_the_queue_gets_a_friendly_word_and_is_not_relayed(bot):
    thread, _ = await queue(bot)
    [reply] = await bot.channel.say(KARI, "")
    assert text_of(reply) == "Meldingen var tom, så den ble ikke sendt til Kundeservice. Skriv det du vil si, her."
    assert len(bot.connector.replies(thread)) == 1  # just the card


async def test_avbryt_leaves_the_queue_and_tells_kundeservice(bot):
    thread, handoff_id = await queue(bot)
    [reply] = await bot.channel.say(KARI, "avbryt")
    assert "du er ute av køen" in text_of(reply)
    assert await thread_texts(bot, thread, 1) == ["Kari Nordmann gikk ut av køen."]
    card = request_card(bot, thread)
    assert "gikk ut av køen" in text_of({"attachments": [{"content": card}]}) and buttons(card) == []
    assert (await bot.runtime.store.handoffs.get(handoff_id)).state is HandoffState.CANCELLED
    [answer] = await bot.channel.say(KARI, "hei")  # routed again
    assert "Dette kan jeg hjelpe deg med" in text_of(answer)


@pytest.mark.parametrize(("text", "answer"), [
    ("avslutt", "du er ute av køen"), ("Glem det!", "du er ute av køen"), ("gløym det", "du er ute av køen"),
    ("stopp", "du er ute av køen"), ("nei vent, glem det", "du er ute av køen"), ("forget it", "you have left the Kundeservice queue"),
    ("leave the queue", "you have left the Kundeservice queue"), ("avslutte", "du er ute av køen"),
    ("eg vil ikkje vente", "du er ute av køen"), ("ta meg ut av køen takk", "du er ute av køen"),
    ("æ orke ikkje vent lenger", "du er ute av køen"),
    ("end chat", "du er ute av køen"), ("quit", "du er ute av køen"),  # too short to change the language
    ("I don't want to wait any longer", "you have left the Kundeservice queue"),
])
async def test_queue_commands_leave_the_queue_instead_of_being_relayed(bot, text, answer):
    thread, handoff_id = await queue(bot)
    [reply] = await bot.channel.say(KARI, text)
    assert answer in text_of(reply)
    assert await thread_texts(bot, thread, 1) == ["Kari Nordmann gikk ut av køen."]  # not relayed as a message
    card = request_card(bot, thread)
    assert "Kari Nordmann gikk ut av køen kl. 10:00" in text_of({"attachments": [{"content": card}]})
    assert buttons(card) == []
    assert (await bot.runtime.store.handoffs.get(handoff_id)).state is HandoffState.CANCELLED


async def test_without_a_kundeservice_channel_the_user_gets_the_phone_and_a_ticket(bot):
    bot.runtime.settings.kundeservice_conversation_id = ""
    [reply] = await bot.channel.say(KARI, "kan jeg snakke med et menneske")
    [card] = cards_of(reply)
    validate_card(card)
    assert "71 11 10 00" in text_of(reply)
    assert buttons(card) == [("Opprett sak nå", "tickets.start")]
    assert bot.connector.channel_threads(CHANNEL) == []


async def test_when_the_card_cannot_be_posted_the_user_is_told_and_not_held(bot):
    bot.connector.fail_next(503)  # the channel post fails; the answer to the user gets through
    [reply] = await bot.channel.say(KARI, "kan jeg snakke med et menneske")
    assert "fikk ikke sendt forespørselen" in text_of(reply)
    assert buttons(cards_of(reply)[0]) == [("Opprett sak nå", "tickets.start")]
    assert await bot.runtime.store.dialogs.active(KARI.conversation_id) is None


# --- claiming -----------------------------------------------------------------------------------
async def test_the_first_agent_takes_it_the_card_updates_for_everyone_and_the_user_is_told(bot):
    thread, handoff_id = await queue(bot)
    card = response_card(await agent_clicks(bot, PER, thread, "handoff.claim", {"handoff_id": handoff_id}))
    shown = text_of({"attachments": [{"content": card}]})
    assert "Tatt av Per Agent kl. 10:00" in shown
    assert buttons(card) == [("Avslutt – løst", "handoff.end"), ("Avslutt – la saken stå åpen", "handoff.end"),
                             ("Overfør", "handoff.transfer")]
    assert request_card(bot, thread) == card  # the channel post itself was updated
    told = (await bot.connector.wait_for(KARI.conversation_id, 2))[-1]
    validate_card(cards_of(told)[0])
    assert "Per Agent fra Kundeservice har tatt saken" in text_of(told)
    assert buttons(cards_of(told)[0]) == [("Avslutt samtalen", "handoff.end")]


async def test_two_simultaneous_clicks_make_one_winner_and_the_other_is_told_who(bot):
    thread, handoff_id = await queue(bot)
    results = await asyncio.gather(
        agent_clicks(bot, PER, thread, "handoff.claim", {"handoff_id": handoff_id}),
        agent_clicks(bot, LISE, thread, "handoff.claim", {"handoff_id": handoff_id}),
    )
    shown = [text_of({"attachments": [{"content": response_card(result)}]}) for result in results]
    stored = await bot.runtime.store.handoffs.get(handoff_id)
    winner, loser = (0, 1) if stored.agent_name == "Per Agent" else (1, 0)
    assert "tok saken før deg" not in shown[winner]
    assert f"{stored.agent_name} tok saken før deg." in shown[loser]
    await asyncio.sleep(0.1)
    told = [text_of(a) for a in bot.connector.replies(KARI.conversation_id) if "har tatt saken" in text_of(a)]
    assert len(told) == 1 and f"{stored.agent_name} fra Kundeservice har tatt saken." in told[0]


async def test_a_claim_from_outside_the_channel_is_refused(bot):
    _, handoff_id = await queue(bot)
    result = await bot.channel.click(OLA, "handoff.claim", {"handoff_id": handoff_id})
    assert result.body["value"] == "Saken kan bare tas fra Kundeservice-kanalen."
    assert (await bot.runtime.store.handoffs.get(handoff_id)).state is HandoffState.WAITING


async def test_an_agent_who_writes_before_taking_it_is_told_to_take_it_first(bot):
    thread, _ = await queue(bot)
    await agent_says(bot, PER, thread, "Hei Kari!")
    assert await thread_texts(bot, thread, 1) == ["Trykk «Ta saken» på kortet først, så går meldingene dine til Kari Nordmann."]
    assert len(bot.connector.replies(KARI.conversation_id)) == 1  # only the queue card


# --- relaying ------------------------------------------------------------------------------------
async def test_messages_are_relayed_both_ways_in_order(bot):
    thread, _ = await claimed(bot)
    user_start = len(bot.connector.replies(KARI.conversation_id))
    assert await bot.channel.say(KARI, "Skriveren sier feil 0x61", expect=0) == []
    await agent_says(bot, PER, thread, "Hei Kari! Hvilken skriver er det?")
    await bot.channel.say(KARI, "Den i 2. etasje", expect=0)
    await bot.channel.say(KARI, "HP-en ved kopirommet", expect=0)
    await agent_says(bot, PER, thread, "Takk, jeg sjekker køen.")
    await agent_says(bot, PER, thread, "Prøv nå.")
    assert await thread_texts(bot, thread, 3) == [
        "**Kari Nordmann:** Skriveren sier feil 0x61",
        "**Kari Nordmann:** Den i 2. etasje",
        "**Kari Nordmann:** HP-en ved kopirommet",
    ]
    to_user = (await bot.connector.wait_for(KARI.conversation_id, user_start + 3))[user_start:]
    assert [activity["text"] for activity in to_user] == [
        "**Per Agent:** Hei Kari! Hvilken skriver er det?",
        "**Per Agent:** Takk, jeg sjekker køen.",
        "**Per Agent:** Prøv nå.",
    ]


async def test_a_redelivered_activity_is_relayed_once(bot):
    thread, _ = await claimed(bot)
    activity = bot.channel.activity(KARI, "message", text="Hallo?")
    await bot.channel.post(activity)
    await bot.channel.post(activity)
    await asyncio.sleep(0.1)
    assert await thread_texts(bot, thread, 1) == ["**Kari Nordmann:** Hallo?"]


async def test_a_colleagues_note_in_the_thread_is_not_relayed_but_never_dropped_without_a_word(bot):
    thread, _ = await claimed(bot)
    before = len(bot.connector.replies(KARI.conversation_id))
    await agent_says(bot, LISE, thread, "Per, dette er den samme feilen som i går")
    [asked] = cards_of((await bot.connector.wait_for(thread, 2))[-1])
    assert "Lise Lund: Per Agent har denne samtalen, så meldingen din gikk ikke til Kari Nordmann" in text_of(
        {"attachments": [{"content": asked}]})
    assert [title for title, _ in buttons(asked)] == ["Ta over samtalen", "Nei, det var et notat"]
    result = response_card(await agent_clicks(bot, LISE, thread, "handoff.note", asked["actions"][1]["data"]))
    assert "står i tråden som et notat" in text_of({"attachments": [{"content": result}]})
    await asyncio.sleep(0.1)
    assert len(bot.connector.replies(KARI.conversation_id)) == before


async def test_a_channel_message_outside_a_handoff_gets_no_answer(bot):
    activity = bot.channel.activity(PER, "message", text="hei alle sammen")
    activity["conversation"] = {"id": f"{CHANNEL};messageid=1234", "conversationType": "channel"}
    assert (await bot.channel.post(activity)).status == 200
    await asyncio.sleep(0.1)
    assert bot.connector.replies(f"{CHANNEL};messageid=1234") == []
    assert bot.runtime.metrics.turns.labels("channel:ignored")._value.get() == 1


# --- the end --------------------------------------------------------------------------------------
async def test_the_agent_ends_it_resolved_the_transcript_is_filed_masked_and_the_user_rates_it(bot):
    thread, handoff_id = await claimed(bot)
    await bot.channel.say(KARI, "Fødselsnummeret mitt er 01017012345, ring 91234567", expect=0)
    await agent_says(bot, PER, thread, "Nå skal det virke, Kari.")
    before = len(bot.connector.replies(KARI.conversation_id))
    card = response_card(await agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True}))
    [ticket] = await filed_tickets(bot)
    assert f"Avsluttet kl. 10:00 – løst, sak {ticket.number}" in text_of({"attachments": [{"content": card}]})
    assert buttons(card) == []
    assert (ticket.requester_email, ticket.requester_name) == ("kari.nordmann@molde.kommune.no", "Kari Nordmann")
    assert ticket.category == "" and ticket.subject == "Chat med Kundeservice via Rakel"  # Kundeservice picks
    assert "Utfall: Løst i chatten" in ticket.description
    assert ticket.status == "Løst" and "Løsning: Løst i chat med Per Agent fra Kundeservice." in ticket.description
    assert "[10:00] Kari Nordmann: Fødselsnummeret mitt er [fødselsnummer], ring [telefon]" in ticket.description
    assert "[10:00] Per Agent: Nå skal det virke, [navn]." in ticket.description
    assert "01017012345" not in ticket.description and "91234567" not in ticket.description
    notes = await thread_texts(bot, thread, 3)
    assert notes[-2:] == ["Samtalen er avsluttet av Per Agent (løst).", f"Samtalen er lagret som sak {ticket.number} (løst)."]
    [goodbye] = (await bot.connector.wait_for(KARI.conversation_id, before + 1))[before:]
    [feedback] = cards_of(goodbye)
    validate_card(feedback)
    assert "Per Agent har avsluttet samtalen." in text_of(goodbye) and f"sak {ticket.number}" in text_of(goodbye)
    assert [verb for _, verb in buttons(feedback)] == ["handoff.rate", "handoff.rate"]
    thanks = response_card(await bot.channel.click(
        KARI, "handoff.rate", {"handoff_id": handoff_id, "rating": -1, "comment": "Tok lang tid, ring 41234567"}))
    assert "Takk for at du sa ifra" in text_of({"attachments": [{"content": thanks}]})
    [stored] = await bot.runtime.store.feedback.recent()
    assert (stored.kind, stored.rating, stored.comment) == ("handoff", -1, "Tok lang tid, ring [telefon]")
    [routed] = await bot.channel.say(KARI, "hei")  # the chat is over: Rakel answers again
    assert "Dette kan jeg hjelpe deg med" in text_of(routed)


async def test_ending_twice_files_one_ticket(bot):
    thread, handoff_id = await claimed(bot)
    await asyncio.gather(
        agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True}),
        agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True}),
        agent_says(bot, PER, thread, "avslutt"),
    )
    await asyncio.sleep(0.2)
    assert len(await filed_tickets(bot)) == 1


async def test_the_agent_can_end_it_by_writing_avslutt_apen(bot):
    thread, handoff_id = await claimed(bot)
    await agent_says(bot, PER, thread, "avslutt åpen")
    [ticket] = await filed_tickets(bot)
    assert "Utfall: Ikke løst i chatten – trenger oppfølging" in ticket.description
    assert (await bot.runtime.store.handoffs.get(handoff_id)).resolved is False


@pytest.mark.parametrize("end", ["avslutt", "jeg vil avslutte chatten nå", "we can end the chat now, thanks"])
async def test_the_user_ends_it_and_the_agent_chooses_how_it_is_saved(bot, end):
    thread, handoff_id = await claimed(bot)
    before = len(bot.connector.replies(KARI.conversation_id))
    await bot.channel.say(KARI, end, expect=0)
    [goodbye] = (await bot.connector.wait_for(KARI.conversation_id, before + 1))[before:]
    assert "Samtalen med Per Agent er avsluttet." in text_of(goodbye)
    validate_card(cards_of(goodbye)[0])
    assert (await thread_texts(bot, thread, 1))[-1].startswith("Kari Nordmann avsluttet samtalen.")
    card = request_card(bot, thread)
    assert buttons(card) == [("Lagre som løst", "handoff.end"), ("Lagre som åpen sak", "handoff.end")]
    assert await filed_tickets(bot) == []  # the agent decides first
    await agent_says(bot, PER, thread, "en melding for sent")
    assert (await thread_texts(bot, thread, 2))[-1] == "Samtalen er avsluttet, så meldingen ble ikke sendt til Kari Nordmann."
    response_card(await agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": False}))
    [ticket] = await filed_tickets(bot)
    assert "Ikke løst i chatten" in ticket.description and ticket.status == "Ny"
    assert (await thread_texts(bot, thread, 4))[-2:] == [
        "Per Agent valgte å lagre samtalen: åpen, trenger oppfølging.",
        f"Samtalen er lagret som sak {ticket.number} (åpen, trenger oppfølging).",
    ]
    saved = (await bot.connector.wait_for(KARI.conversation_id, before + 2))[-1]
    assert saved["text"] == f"Samtalen er lagret som sak {ticket.number} hos Kundeservice."


async def test_the_users_end_button_ends_the_chat(bot):
    _, handoff_id = await claimed(bot)
    card = response_card(await bot.channel.click(KARI, "handoff.end", {"handoff_id": handoff_id}))
    assert text_of({"attachments": [{"content": card}]}) == "Samtalen med Per Agent er avsluttet."
    assert (await bot.runtime.store.handoffs.get(handoff_id)).state is HandoffState.WRAPPING_UP
    again = response_card(await bot.channel.click(KARI, "handoff.end", {"handoff_id": handoff_id}))
    assert "allerede avsluttet" in text_of({"attachments": [{"content": again}]})


async def test_someone_else_cannot_end_or_rate_the_users_chat(bot):
    _, handoff_id = await claimed(bot)
    result = await bot.channel.click(OLA, "handoff.end", {"handoff_id": handoff_id})
    assert "finner ikke den forespørselen" in result.body["value"]
    result = await bot.channel.click(OLA, "handoff.rate", {"handoff_id": handoff_id, "rating": 1})
    assert "finner ikke den forespørselen" in result.body["value"]
    assert (await bot.runtime.store.handoffs.get(handoff_id)).state is HandoffState.CLAIMED


async def test_a_click_on_an_unknown_handoff_gets_a_friendly_answer(bot):
    result = await bot.channel.click(KARI, "handoff.end", {"handoff_id": "finnes-ikke"})
    assert result.status == 200 and "snakk med et menneske" in result.body["value"]


async def test_when_filing_fails_the_transcript_is_filed_later(bot, clock, monkeypatch):
    thread, handoff_id = await claimed(bot)
    with monkeypatch.context() as patch:
        patch.setattr(bot.runtime.skills.tickets, "submit", DeskDown().submit)
        await agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True})
        assert (await bot.runtime.store.handoffs.get(handoff_id)).ticket_state.value == "pending"
    clock.advance(minutes=2)
    [ticket] = await wait_for_tickets(bot, 1)
    for _ in range(100):
        stored = await bot.runtime.store.handoffs.get(handoff_id)
        if stored.ticket_state.value == "filed":
            break
        await asyncio.sleep(0.02)
    assert stored.ticket_number == ticket.number
    for _ in range(100):  # the card is refreshed right after the ticket is recorded
        if f"løst, sak {ticket.number}" in text_of({"attachments": [{"content": request_card(bot, thread)}]}):
            break
        await asyncio.sleep(0.02)
    assert f"løst, sak {ticket.number}" in text_of({"attachments": [{"content": request_card(bot, thread)}]})


class DeskRefuses:
    """A TicketSubmitter whose desk refuses the transcript (a 422 from Pureservice); the outbox keeps it
    and tries again on its slow schedule, until the desk takes it (``accept``)."""

    def __init__(self) -> None:
        self.calls = 0
        self.created: TicketSummary | None = None

    async def submit(self, draft, *, notify_user_id=None):
        self.calls += 1
        raise TicketDeskError("refused: 422 Unknown relation 'ticketType' on ticket", retryable=False, status=422)

    async def state(self, key):
        return FilingState(ticket=self.created) if self.created else FilingState(refused="refused: 422 ticketType")

    def accept(self, number: str) -> None:
        self.created = TicketSummary(id="77", number=number, subject="Chat", status="Ny", is_open=True,
                                     updated=datetime.now(UTC), url="")


async def test_a_refused_transcript_stays_in_the_outbox_visible_to_kundeservice_and_lands_later(bot, clock,
                                                                                              monkeypatch):
    thread, handoff_id = await claimed(bot)
    refusing = DeskRefuses()
    monkeypatch.setattr(bot.runtime.skills.tickets, "submit", refusing.submit)
    monkeypatch.setattr(bot.runtime.skills.tickets, "state", refusing.state)
    card = response_card(await agent_clicks(bot, PER, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True}))
    assert "Pureservice avviste saken, den ligger i utboksen og prøves igjen" in text_of({"attachments": [{"content": card}]})
    note = (await thread_texts(bot, thread, 2))[-1]
    assert note.startswith("Pureservice tok ikke imot samtalen som sak (422 Unknown relation 'ticketType' on ticket).")
    assert "prøves igjen av seg selv" in note
    clock.advance(minutes=5)
    await settle(bot)
    assert refusing.calls == 1  # the outbox retries it, not the handoff
    assert (await bot.runtime.store.handoffs.get(handoff_id)).ticket_state.value == "refused"
    refusing.accept("24017")  # the outbox's retry got through (e.g. after the ticket type was fixed)
    await settle(bot)
    stored = await bot.runtime.store.handoffs.get(handoff_id)
    assert (stored.ticket_state.value, stored.ticket_number) == ("filed", "24017")
    assert "Samtalen er lagret som sak 24017 (løst)." in await thread_texts(bot, thread, 3)
    assert "løst, sak 24017" in text_of({"attachments": [{"content": request_card(bot, thread)}]})
