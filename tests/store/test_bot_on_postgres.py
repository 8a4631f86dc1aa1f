"""The whole bot on PostgreSQL, and two bot processes sharing one database."""

from __future__ import annotations

from tests.conftest import make_settings
from tests.harness import KARI, start_harness, text_of


async def test_the_bot_runs_on_postgresql(tmp_path, fresh_postgres_url):
    harness = await start_harness(make_settings(tmp_path, database_url=fresh_postgres_url))
    try:
        [welcome] = await harness.channel.install(KARI)
        assert "Hei, jeg er Rakel" in text_of(welcome)
        await harness.channel.say(KARI, "tilbakemelding")
        [thanks] = await harness.channel.say(KARI, "Bra jobba")
        assert "Takk for tilbakemeldingen" in text_of(thanks)
        assert (await harness.runtime.store.references.get(KARI.member.aad_object_id)).installed
    finally:
        await harness.close()


async def test_a_dialog_started_on_one_instance_continues_on_another(tmp_path, fresh_postgres_url):
    first = await start_harness(make_settings(tmp_path / "a", database_url=fresh_postgres_url))
    second = await start_harness(make_settings(tmp_path / "b", database_url=fresh_postgres_url))
    try:
        await first.channel.say(KARI, "tilbakemelding")
        [thanks] = await second.channel.say(KARI, "Fin bot")
        assert "Takk for tilbakemeldingen" in text_of(thanks)
        [stored] = await first.runtime.store.feedback.recent()
        assert stored.comment == "Fin bot"
    finally:
        await first.close()
        await second.close()
