"""What the conversation history keeps is masked where the message entered (Incoming.masked): the
answering pipeline and the handoff read it as MaskedText and do not mask it again."""

from __future__ import annotations

from tests.harness import KARI


async def test_the_history_keeps_the_message_masked(harness):
    await harness.channel.say(KARI, "Hvordan bytter jeg passord? Fnr 16119408176, ring 91234567")
    said = [record.text for record in await harness.runtime.store.history.recent(KARI.conversation_id)]
    assert said and "passord" in said[0]
    assert not any("16119408176" in text or "91234567" in text for text in said)
