"""Every turn records an analytics event through the real bot: outcome, skill, sources, a keyed hash of
the user, and never a name, an e-mail address, an AAD id or the message text."""

from __future__ import annotations

import pytest

from analytics.events import Pseudonyms
from store.analytics import EVENT_COLUMNS
from tests.harness import KARI, OLA


async def events_of(bot) -> list[dict]:
    runtime = bot.runtime
    await runtime.adapters.events.flush()
    return await runtime.store.db.fetch_all(f"SELECT {', '.join(EVENT_COLUMNS)} FROM analytics_events ORDER BY at")


async def test_answers_abstentions_and_thumbs_become_events_without_personal_data(bot):
    [answer] = await bot.channel.say(KARI, "Hvordan bytter jeg passord?")
    await bot.channel.say(OLA, "Hvordan kobler jeg den gamle faksmaskinen i kjelleren til Teams via Brasil-serveren?", expect=1)
    await bot.channel.react(KARI, "dislike", answer["id"], comment="Kari Nordmann her, ring 91234567")
    await bot.channel.say(KARI, "hei")
    events = await events_of(bot)
    outcomes = [(event["outcome"], event["skill"], event["municipality"]) for event in events]
    assert outcomes == [
        ("answered", "knowledge", "molde"),
        ("abstained", "knowledge", "rauma"),
        ("feedback_down", "knowledge", "molde"),
        ("handled", "help", "molde"),
    ]
    assert events[0]["sources"] and events[0]["intent"] == "knowledge"
    assert events[2]["kind"] == "action" and events[0]["kind"] == "message"
    key = Pseudonyms(bot.runtime.settings.analytics_secret).key_of(KARI.member.aad_object_id)
    assert events[0]["user_key"] == key == events[2]["user_key"] != events[1]["user_key"]
    stored = repr(events)
    for personal in ("Kari", "Nordmann", "kari.nordmann", KARI.member.aad_object_id, "91234567", "passord?", "Brasil"):
        assert personal not in stored


async def test_the_questions_behind_gaps_are_kept_masked_in_their_own_table(bot):
    [answer] = await bot.channel.say(KARI, "Hvordan bytter jeg passord? Ring meg på 91234567")
    await bot.channel.say(OLA, "Hvordan mater jeg kaffemaskinen, e-post ola@example.com?")
    await bot.channel.react(KARI, "dislike", answer["id"], comment="Virket ikke, ring 91234567")
    await bot.runtime.adapters.events.flush()
    texts = await bot.runtime.store.db.fetch_all("SELECT kind, text FROM analytics_texts ORDER BY at, kind")
    assert texts == [
        {"kind": "unanswered", "text": "Hvordan mater jeg kaffemaskinen, e-post [e-post]?"},
        {"kind": "comment", "text": "Virket ikke, ring [telefon]"},
        {"kind": "disliked", "text": "Hvordan bytter jeg passord? Ring meg på [telefon]"},
    ]


async def test_a_failing_turn_is_an_error_event(bot, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("index on fire")

    monkeypatch.setattr(bot.runtime.store.history, "recent", broken)
    await bot.channel.say(KARI, "Hvordan bytter jeg passord?")
    assert [event["outcome"] for event in await events_of(bot)] == ["error"]


async def test_metrics_count_outcomes(bot):
    await bot.channel.say(KARI, "Hvordan bytter jeg passord?")
    metrics = bot.runtime.metrics.render().decode()
    assert 'rakel_outcomes_total{municipality="molde",outcome="answered"} 1.0' in metrics


async def test_shutdown_writes_the_last_events(knowledge_settings):
    from tests.harness import start_harness

    bot = await start_harness(knowledge_settings)
    await bot.channel.say(KARI, "hei")
    assert bot.runtime.adapters.events.pending == 1
    await bot.close()  # the app's cleanup closes the runtime: the recorder writes before the store closes
    from store.store import open_store

    store = await open_store(knowledge_settings.database_target)
    try:
        assert await store.db.fetch_value("SELECT COUNT(*) AS n FROM analytics_events") == 1
    finally:
        await store.close()


@pytest.fixture
async def bot(knowledge_settings):
    from tests.harness import start_harness

    harness = await start_harness(knowledge_settings)
    yield harness
    await harness.close()


async def test_retention_deletes_old_events_texts_and_rollups(tmp_path):
    from datetime import UTC, datetime, timedelta

    from analytics.events import Event, QuestionText
    from analytics.retention import purge_expired
    from store.store import open_store

    store = await open_store(f"sqlite:///{tmp_path / 'r.db'}")
    now = datetime(2026, 12, 3, tzinfo=UTC)
    old, recent = (now - timedelta(days=500)).timestamp(), (now - timedelta(days=30)).timestamp()
    try:
        await store.analytics.add(
            [Event(old, "k1", "molde", "nb", "message", "", "help", "handled", month=202507),
             Event(recent, "k1", "molde", "nb", "message", "", "help", "handled", month=202611)],
            [QuestionText(old, "k1", "molde", "unanswered", "gammel"),
             QuestionText(recent - 100 * 86400, "k1", "molde", "unanswered", "eldre enn 90 dager"),
             QuestionText(recent, "k1", "molde", "unanswered", "ny")])
        assert await purge_expired(store.analytics, now, event_days=400, text_days=90) == (1, 2)
        assert [row["text"] for row in await store.db.fetch_all("SELECT text FROM analytics_texts")] == ["ny"]
        months = await store.db.fetch_all("SELECT month, conversations FROM analytics_user_months")
        assert months == [{"month": 202611, "conversations": 1}]
    finally:
        await store.close()


async def test_each_process_writes_its_own_events_within_the_interval(tmp_path):
    import asyncio
    from datetime import UTC, datetime

    from analytics.events import Kind, Note, Outcome, Subject
    from analytics.recorder import EventRecorder
    from store.store import open_store

    store = await open_store(f"sqlite:///{tmp_path / 'w.db'}")
    recorder = EventRecorder(store.analytics, Pseudonyms("k"), lambda: datetime.now(UTC), interval=0.05)
    try:
        recorder.record(Subject("u1", "molde", "nb"), Note(Outcome.HANDLED), kind=Kind.MESSAGE)
        for _ in range(100):
            if await store.db.fetch_value("SELECT COUNT(*) AS n FROM analytics_events"):
                break
            await asyncio.sleep(0.02)
        assert recorder.pending == 0
        assert await store.db.fetch_value("SELECT COUNT(*) AS n FROM analytics_events") == 1
    finally:
        await recorder.close()
        await store.close()
