"""Thumbs up/down on answers: stored with question, answer and sources; a thumbs down offers ways on."""

from __future__ import annotations

from core.cards import validate_card
from tests.harness import KARI, cards_of, text_of


async def ask(bot, question: str) -> dict:
    [answer] = await bot.channel.say(KARI, question)
    return answer


async def test_a_thumbs_up_is_stored_with_the_question_answer_and_sources(bot):
    answer = await ask(bot, "Hvordan bytter jeg passord?")
    result = await bot.channel.react(KARI, "like", answer["id"])
    assert result.status == 200
    [stored] = await bot.runtime.store.feedback.recent()
    assert (stored.rating, stored.question) == (1, "Hvordan bytter jeg passord?")
    assert stored.answer and stored.sources


async def test_a_double_click_on_thumbs_stores_one_opinion(bot):
    answer = await ask(bot, "Hvordan bytter jeg passord?")
    await bot.channel.react(KARI, "like", answer["id"])
    await bot.channel.react(KARI, "like", answer["id"])
    assert len(await bot.runtime.store.feedback.recent()) == 1


async def test_a_thumbs_down_keeps_the_comment_and_offers_a_ticket_or_a_human(bot):
    answer = await ask(bot, "Hvordan bytter jeg passord?")
    before = len(bot.connector.replies(KARI.conversation_id))
    await bot.channel.react(KARI, "dislike", answer["id"], comment="Fant ikke knappen, ring meg på 91234567")
    [offer] = (await bot.connector.wait_for(KARI.conversation_id, before + 1))[before:]
    [stored] = await bot.runtime.store.feedback.recent()
    assert stored.rating == -1 and stored.comment == "Fant ikke knappen, ring meg på [telefon]"
    [card] = cards_of(offer)
    validate_card(card)
    assert [action["verb"] for action in card["actions"]] == ["tickets.start", "handoff.start"]


async def test_after_two_thumbs_down_a_person_is_offered_first(bot):
    first = await ask(bot, "Hvordan bytter jeg passord?")
    second = await ask(bot, "Hvordan legger jeg til en skriver?")
    await bot.channel.react(KARI, "dislike", first["id"])
    before = len(bot.connector.replies(KARI.conversation_id))
    await bot.channel.react(KARI, "dislike", second["id"])
    [offer] = (await bot.connector.wait_for(KARI.conversation_id, before + 1))[before:]
    assert "vil du snakke med et menneske" in text_of(offer)
    assert cards_of(offer)[0]["actions"][0]["verb"] == "handoff.start"
