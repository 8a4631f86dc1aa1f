""""Jeg trenger ny PC": the order card when a PC is old enough, else the rule and the date it will be."""

from __future__ import annotations

from bot.local_client import LocalUser
from core.cards import validate_card
from skills.pc_replacement.cards import VERB_APPROVE, VERB_ORDER
from skills.pc_replacement.skill import ONDEMAND
from tests.harness import KARI, OLA, SIRI, cards_of, text_of
from tests.skills.pc_replacement.conftest import CAMPAIGN, LENA


async def test_an_old_pc_gets_the_order_card_and_the_order_goes_to_the_leader(world):
    [reply] = await world.harness.channel.say(KARI, "jeg trenger ny pc")

    [card] = cards_of(reply)
    validate_card(card)
    assert card["body"][0]["text"] == "Tid for ny PC" and "Lenovo ThinkPad T470" in text_of(reply)
    data = card["actions"][0]["data"]
    assert data == {"campaign": ONDEMAND, "user": KARI.member.email}
    result = await world.harness.channel.click(KARI, VERB_ORDER, data)
    assert "venter på godkjenning fra Lena Lie" in text_of({"attachments": [{"content": result.body["value"]}]})
    [approval] = [c for c in await world.cards_for(LENA) if c["body"][0]["text"].startswith("Godkjenning")]
    await world.harness.channel.click(LENA, VERB_APPROVE, approval["actions"][0]["data"])
    assert len(world.tickets.created) == 1


async def test_a_pc_not_old_enough_gets_the_rule_and_its_date(world):
    [reply] = await world.harness.channel.say(OLA, "jeg trenger ny pc")

    assert reply["text"].startswith("ROR-IKT bytter PC-er etter 6 år.")
    assert ("Lenovo ThinkPad T14 Gen 2 (PF4455), kjøpt 02.05.2022, er 2 år og 10 måneder gammel og kan byttes fra "
            "03.05.2028") in reply["text"]
    assert "lag en sak" in reply["text"] and not cards_of(reply)


async def test_the_rule_is_explained_in_english_to_someone_who_writes_english(world):
    [reply] = await world.harness.channel.say(OLA, "I need a new PC, mine is so slow")
    assert reply["text"].startswith("ROR-IKT replaces PCs after 6 years.")


async def test_a_retired_pc_is_not_offered_again(world):
    [reply] = await world.harness.channel.say(SIRI, "jeg trenger ny pc")
    assert "Dell Latitude 5490 (CN6004) er allerede bestilt eller byttet." in reply["text"]


async def test_someone_without_a_pc_in_the_register_is_told_so(world):
    stranger = world.harness.channel.join(LocalUser.create("Nils Ny", "nils.ny@aukra.kommune.no"))
    [reply] = await world.harness.channel.say(stranger, "jeg trenger ny pc")
    assert reply["text"].startswith("Jeg finner ingen PC registrert på deg i maskinregisteret.")


async def test_after_ordering_the_question_shows_the_status(world):
    await world.run()
    await world.harness.channel.click(KARI, VERB_ORDER, {"campaign": CAMPAIGN, "user": KARI.member.email})

    replies = await world.harness.channel.say(KARI, "jeg trenger ny pc", expect=2)

    assert replies[0]["text"] == "Her er status for PC-bestillingen din:"
    assert "venter på godkjenning fra Lena Lie" in text_of(replies[1])
    assert len(await world.repo.orders.all()) == 1


async def test_an_unreadable_register_gets_a_friendly_answer(world, register_path):
    register_path.write_text("hva;er;dette\n1;2;3\n", encoding="utf-8")
    [reply] = await world.harness.channel.say(KARI, "jeg trenger ny pc")
    assert reply["text"].startswith("Jeg får ikke slått opp maskinregisteret akkurat nå.")
    assert "71 11 10 00" in reply["text"]
