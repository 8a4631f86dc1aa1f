"""PC tickets in a Pureservice whose ticket types are its own (no "Henvendelse"): the swap ticket and the
register correction get the types and categories their settings name, through the ticket outbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from skills.pc_replacement.cards import VERB_APPROVE, VERB_NOT_MINE, VERB_ORDER
from tests.conftest import make_settings
from tests.fakes.pureservice import API_KEY, FALLBACK_REQUESTER_EMAIL, FakePureservice
from tests.harness import KARI
from tests.skills.pc_replacement.conftest import CAMPAIGN, FRODE, GURO, LENA, MARI
from tests.skills.pc_replacement.test_approvals import approval_cards, click


@pytest.fixture
def pc_settings(tmp_path: Path, register_path: Path, fake_pureservice: FakePureservice) -> Settings:
    del fake_pureservice.rows["tickettype"][fake_pureservice.id_of("tickettype", "Henvendelse")]
    fake_pureservice.add_user("Kari", "Nordmann", KARI.member.email)
    fake_pureservice.add("category", id=99, name="Maskinregister", disabled=False)
    return make_settings(
        tmp_path, pc_inventory_csv=register_path, app_tenant_id="00000000-0000-0000-0000-00000000ab01",
        pc_fallback_approvers={"molde": FRODE.member.email, "default": MARI.member.email},
        pc_campaign_rate_per_second=30, pc_create_rate_per_second=30,
        pureservice_url=fake_pureservice.url, pureservice_api_key=API_KEY,
        pureservice_fallback_requester_email=FALLBACK_REQUESTER_EMAIL, pureservice_requests_per_minute=60_000,
        pureservice_ticket_type="Feil", pureservice_ticket_types={"order": "Bestilling"},
        pureservice_categories={"pc": "PC og utstyr", "register": "Maskinregister"},
        pc_ticket_type="order", pc_register_ticket_category="register",
    )


async def test_the_swap_and_the_register_correction_get_the_tenants_own_types_and_categories(world, fake_pureservice):
    world.use_real_tickets()
    await world.run()

    await click(world, KARI, VERB_ORDER, {"campaign": CAMPAIGN, "user": KARI.member.email})
    [approval] = await approval_cards(world, LENA)
    await click(world, LENA, VERB_APPROVE, {"order": approval["actions"][0]["data"]["order"]})
    await click(world, GURO, VERB_NOT_MINE, {"campaign": CAMPAIGN, "user": GURO.member.email})

    tickets = {row["subject"].split(":")[0]: row for row in fake_pureservice.all("ticket")}
    swap, register = tickets["PC-bytte godkjent"], tickets["Rett maskinregisteret"]
    assert swap["ticketTypeId"] == fake_pureservice.id_of("tickettype", "Bestilling")
    assert register["ticketTypeId"] == fake_pureservice.id_of("tickettype", "Feil")
    assert swap["category1Id"] == fake_pureservice.id_of("category", "PC og utstyr")
    assert register["category1Id"] == fake_pureservice.id_of("category", "Maskinregister")
