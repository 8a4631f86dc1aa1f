"""The store behaves the same on SQLite and on PostgreSQL (a throwaway cluster started for the session;
these variants are skipped, with the reason in the summary, when PostgreSQL is not installed)."""

from __future__ import annotations

import asyncio

import pytest

from core.messages import UserProfile
from store.database import SqliteDatabase, open_database
from store.dialogs import Dialog
from store.feedback import FeedbackEntry
from store.history import TurnRecord
from store.migrations import all_migrations, migrate
from store.store import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rakel.db'}"
    return request.getfixturevalue("fresh_postgres_url")


@pytest.fixture
async def store(database_url):
    opened = await open_store(database_url)
    yield opened
    await opened.close()


async def test_migrations_are_versioned_and_idempotent(database_url):
    db = await open_database(database_url)
    try:
        assert await migrate(db) == [migration.version for migration in all_migrations()]
        assert await migrate(db) == []
        versions = await db.fetch_all("SELECT version FROM schema_version ORDER BY version")
        assert [row["version"] for row in versions] == [migration.version for migration in all_migrations()]
    finally:
        await db.close()


async def test_two_processes_migrating_at_once_apply_each_version_once(database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("one SQLite file is one writer; the race is a PostgreSQL concern")
    first, second = await open_database(database_url), await open_database(database_url)
    try:
        results = await asyncio.gather(migrate(first), migrate(second))
        assert sorted(results[0] + results[1]) == [migration.version for migration in all_migrations()]
    finally:
        await first.close()
        await second.close()


async def test_users_round_trip_and_expire_from_the_cache(store):
    kari = UserProfile("aad-1", "29:1", "Kari", "kari@molde.kommune.no", "molde")
    await store.users.save(kari)
    assert await store.users.fresh_by_channel_id("29:1", max_age=60) == kari
    assert await store.users.fresh_by_channel_id("29:1", max_age=-1) is None
    assert (await store.users.get("aad-1")).municipality == "molde"


async def test_a_channel_id_moves_to_a_new_aad_id(store):
    await store.users.save(UserProfile("aad-old", "29:1", "Kari", "k@molde.kommune.no", "molde"))
    await store.users.save(UserProfile("aad-new", "29:1", "Kari", "k@molde.kommune.no", "molde"))
    assert await store.users.get("aad-old") is None
    assert (await store.users.fresh_by_channel_id("29:1", 60)).id == "aad-new"


async def test_conversation_references_upsert_and_uninstall(store):
    await store.references.save("aad-1", "a:1", "https://smba/emea/", {"conversation": {"id": "a:1"}})
    await store.references.save("aad-1", "a:2", "https://smba/emea/", {"conversation": {"id": "a:2"}})
    stored = await store.references.get("aad-1")
    assert stored.conversation_id == "a:2" and stored.reference == {"conversation": {"id": "a:2"}}
    await store.references.mark_uninstalled("aad-1")
    assert not (await store.references.get("aad-1")).installed
    await store.references.save("aad-1", "a:2", "https://smba/emea/", {})
    assert (await store.references.get("aad-1")).installed


async def test_dialogs_hold_state_until_ended(store):
    await store.dialogs.save("conv", Dialog("tickets", "confirm", {"subject": "Skriver", "n": 2}))
    assert await store.dialogs.active("conv") == Dialog("tickets", "confirm", {"subject": "Skriver", "n": 2})
    await store.dialogs.end("conv")
    assert await store.dialogs.active("conv") is None


async def test_history_keeps_the_latest_turns_in_order(store):
    for number in range(0, 8, 2):
        await store.history.add("conv", TurnRecord("user", f"melding {number}"), TurnRecord("assistant", f"melding {number + 1}"))
    recent = await store.history.recent("conv", limit=3)
    assert [turn.text for turn in recent] == ["melding 5", "melding 6", "melding 7"]
    assert [turn.role for turn in recent] == ["assistant", "user", "assistant"]


async def test_old_history_is_pruned(store, monkeypatch):
    await store.history.add("conv", TurnRecord("user", "gammel"))
    import store.history as history_module

    monkeypatch.setattr(history_module, "KEEP_SECONDS", -1)
    assert await store.history.recent("conv") == []
    assert await store.history.prune() == 1


async def test_feedback_is_stored_with_question_answer_and_sources(store):
    entry_id = await store.feedback.add(FeedbackEntry(
        user_id="aad-1", conversation_id="conv", kind="answer", rating=-1, question="Hvordan skriver jeg ut?",
        answer="Bruk Follow-me.", sources=["https://x/skriver"]))
    await store.feedback.add_comment(entry_id, "Fant ikke skriveren")
    [stored] = await store.feedback.recent()
    assert (stored.rating, stored.sources, stored.comment) == (-1, ["https://x/skriver"], "Fant ikke skriveren")


async def test_a_failed_transaction_changes_nothing(store):
    with pytest.raises(RuntimeError):
        async with store.db.transaction() as tx:
            await tx.execute("DELETE FROM dialogs")
            await tx.execute(
                "INSERT INTO dialogs (conversation_id, skill, step, data, updated_at) VALUES (?, ?, ?, ?, ?)",
                "c", "s", "x", "{}", 0.0)
            raise RuntimeError("abort")
    assert await store.db.fetch_value("SELECT COUNT(*) AS n FROM dialogs") == 0


async def test_a_migration_that_lands_after_a_newer_one_is_still_applied(database_url):
    db = await open_database(database_url)
    try:
        everything = all_migrations()
        without_feedback_tables = tuple(m for m in everything if m.version != 2)  # nothing later alters them
        await migrate(db, without_feedback_tables)
        assert await migrate(db) == [2]
    finally:
        await db.close()


async def test_a_transaction_cancelled_while_it_begins_leaves_the_connection_usable(tmp_path):
    """A job cancelled at shutdown while its BEGIN waited in aiosqlite's queue left the connection inside a
    transaction, and the last analytics batch then failed ("cannot start a transaction within a transaction")."""
    db = await SqliteDatabase.open(str(tmp_path / "cancel.db"))
    try:
        await db.execute("CREATE TABLE numbers (n INTEGER)")

        async def write(number: int) -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO numbers (n) VALUES (?)", number)

        task = asyncio.create_task(write(1))
        await asyncio.sleep(0)  # it holds the lock and waits for its BEGIN
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await write(2)
        assert [row["n"] for row in await db.fetch_all("SELECT n FROM numbers")] == [2]
    finally:
        await db.close()
