"""Handing a chat on: "Overfør" to a named colleague or back to the queue, and a colleague who writes in a
claimed thread taking it over. The employee hears who took over; the transcript says what happened."""

from __future__ import annotations

from core.cards import validate_card
from store.handoffs import HandoffState
from tests.harness import KARI, SIRI, cards_of, text_of
from tests.skills.handoff.conftest import (
    LISE,
    PER,
    agent_clicks,
    agent_says,
    buttons,
    filed_tickets,
    request_card,
    response_card,
    thread_texts,
)
from tests.skills.handoff.test_handoff import claimed, queue


def shown(card: dict) -> str:
    return text_of({"attachments": [{"content": card}]})


def picker(card: dict) -> list[tuple[str, str]]:
    [choices] = [item for item in card["body"] if item.get("type") == "Input.ChoiceSet"]
    return [(choice["title"], choice["value"]) for choice in choices["choices"]]


async def lise_has_worked_a_chat(bot) -> None:
    """Lise takes (and ends) another chat, so Rakel knows her as a colleague to hand chats to."""
    thread, handoff_id = await claimed(bot, agent=LISE, user=SIRI)
    await agent_clicks(bot, LISE, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True})


async def test_overfor_hands_the_chat_to_a_named_colleague_and_the_employee_is_told(bot):
    await lise_has_worked_a_chat(bot)
    thread, handoff_id = await claimed(bot)
    card = request_card(bot, thread)
    assert picker(card) == [("Lise Lund", LISE.member.aad_object_id), ("Tilbake i køen (neste ledige tar den)", "queue")]
    before = len(bot.connector.replies(KARI.conversation_id))
    data = next(action["data"] for action in card["actions"] if action["verb"] == "handoff.transfer")
    updated = response_card(await agent_clicks(bot, PER, thread, "handoff.transfer",
                                               {**data, "to": LISE.member.aad_object_id}))
    assert "Tatt av Lise Lund kl. 10:00" in shown(updated)
    assert "Per Agent overførte samtalen til Lise Lund." in (await thread_texts(bot, thread, 1))[-1]
    [told] = (await bot.connector.wait_for(KARI.conversation_id, before + 1))[before:]
    assert told["text"].startswith("Lise Lund fra Kundeservice har tatt over samtalen.")

    await agent_says(bot, LISE, thread, "Hei Kari, jeg tar over.")
    relayed = (await bot.connector.wait_for(KARI.conversation_id, before + 2))[-1]
    assert relayed["text"] == "**Lise Lund:** Hei Kari, jeg tar over."
    await agent_says(bot, PER, thread, "Lykke til!")  # Per is now the colleague: asked, not relayed
    assert cards_of((await bot.connector.wait_for(thread, 3))[-1])
    await bot.channel.say(KARI, "Takk!", expect=0)
    await agent_clicks(bot, LISE, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": True})
    ticket = (await filed_tickets(bot))[-1]
    assert "Chat mellom Kari Nordmann og Lise Lund" in ticket.description
    assert "[10:00] Rakel: Per Agent overførte samtalen til Lise Lund." in ticket.description
    assert "[10:00] Lise Lund: Hei [navn], jeg tar over." in ticket.description
    assert "Lykke til" not in ticket.description


async def test_overfor_back_to_the_queue_lets_the_next_agent_take_it(bot):
    thread, handoff_id = await claimed(bot)
    before = len(bot.connector.replies(KARI.conversation_id))
    card = response_card(await agent_clicks(bot, PER, thread, "handoff.transfer",
                                            {"handoff_id": handoff_id, "from": PER.member.aad_object_id, "to": "queue"}))
    assert buttons(card) == [("Ta saken", "handoff.claim")]
    assert (await bot.runtime.store.handoffs.get(handoff_id)).state is HandoffState.WAITING
    [told] = (await bot.connector.wait_for(KARI.conversation_id, before + 1))[before:]
    assert told["text"].startswith("Per Agent måtte gi fra seg samtalen, så du står i køen hos Kundeservice igjen (nr. 1).")
    [noted] = await bot.channel.say(KARI, "Jeg venter")  # still held, relayed to the thread
    assert "Du er nr. 1 i køen" in text_of(noted)
    assert (await thread_texts(bot, thread, 2))[-1] == "**Kari Nordmann:** Jeg venter"
    taken = response_card(await agent_clicks(bot, LISE, thread, "handoff.claim", {"handoff_id": handoff_id}))
    assert "Tatt av Lise Lund" in shown(taken)


async def test_a_colleague_who_writes_in_the_thread_can_take_over_and_their_message_goes_through(bot):
    thread, handoff_id = await claimed(bot)
    before = len(bot.connector.replies(KARI.conversation_id))
    await agent_says(bot, LISE, thread, "Per er syk, jeg tar denne. Hei Kari!")
    [asked] = cards_of((await bot.connector.wait_for(thread, 2))[-1])
    validate_card(asked)
    data = next(action["data"] for action in asked["actions"] if action["verb"] == "handoff.take_over")
    result = response_card(await agent_clicks(bot, LISE, thread, "handoff.take_over", data))
    assert "Du har tatt over samtalen" in shown(result)
    told = (await bot.connector.wait_for(KARI.conversation_id, before + 2))[before:]
    assert [activity["text"].split(".")[0] for activity in told] == [
        "Lise Lund fra Kundeservice har tatt over samtalen", "**Lise Lund:** Per er syk, jeg tar denne"]
    assert "Lise Lund tok over samtalen fra Per Agent." in (await thread_texts(bot, thread, 1))[-1]
    assert "Tatt av Lise Lund" in shown(request_card(bot, thread))
    again = await agent_clicks(bot, PER, thread, "handoff.take_over", data)  # a second click: too late
    assert "ikke lenger din" in again.body["value"]
    await agent_clicks(bot, LISE, thread, "handoff.end", {"handoff_id": handoff_id, "resolved": False})
    [ticket] = await filed_tickets(bot)
    assert "[10:00] Rakel: Lise Lund tok over samtalen fra Per Agent." in ticket.description


async def test_a_stale_overfor_click_does_not_move_a_chat_someone_else_has(bot):
    thread, handoff_id = await queue(bot)
    result = await agent_clicks(bot, PER, thread, "handoff.transfer",
                                {"handoff_id": handoff_id, "from": PER.member.aad_object_id, "to": "queue"})
    assert "ikke lenger din å overføre" in result.body["value"]
    assert (await bot.runtime.store.handoffs.get(handoff_id)).state is HandoffState.WAITING
