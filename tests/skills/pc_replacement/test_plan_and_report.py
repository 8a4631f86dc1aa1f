"""`campaign plan` (counts per municipality and every problem row), `report` (CSV + chart) and `status`."""

from __future__ import annotations

import csv

from rich.console import Console

from bot.local_client import LocalUser
from cli.campaign import plan_command, report_command, status_command
from core.settings import PROJECT_ROOT
from skills.pc_replacement.cards import VERB_APPROVE, VERB_LATER, VERB_NOT_MINE, VERB_ORDER, VERB_REJECT
from skills.pc_replacement.planning import Planner
from skills.pc_replacement.rules import DueRule
from tests.conftest import make_settings
from tests.harness import KARI
from tests.skills.pc_replacement.conftest import (
    ANE,
    CAMPAIGN,
    CAMPAIGN_DATE,
    FRODE,
    GURO,
    LENA,
    MARI,
    PER,
    REGISTER,
    line,
    write_register,
)

HANNE = LocalUser.create("Hanne Strand", "hanne.strand@molde.kommune.no")
ODD = LocalUser.create("Odd Verma", "odd.verma@rauma.kommune.no")


def planner(world) -> Planner:
    ports = world.ports
    return Planner(ports.inventory, ports.directory, ports.repo.orders, ports.settings.pc_fallback_approvers)


async def test_plan_counts_per_municipality_and_lists_the_problem_rows(world):
    plan = await planner(world).plan(CAMPAIGN_DATE, DueRule(6))

    molde, rauma = plan.municipalities["molde"], plan.municipalities["rauma"]
    assert (molde.devices, molde.due, molde.targets, molde.skipped_left) == (5, 4, 3, 1)
    assert (rauma.devices, rauma.due, rauma.targets, rauma.skipped_retired) == (5, 3, 1, 1)
    assert sorted(target.user_upn for target in plan.targets) == sorted(
        person.member.email for person in (KARI, PER, ANE, GURO))
    problems = {(problem.row, problem.code, problem.skipped) for problem in plan.problems}
    assert problems == {
        (5, "user_left", True),  # Tor has left
        (4, "missing_manager", False),  # Per: no leader; approvals go to the fallback approver
        (6, "manager_left", False),  # Ane's leader is Tor
        (11, "missing_user", True),  # no user (and a bad date, 31.02.2017)
    }
    assert plan.total().targets == 4 and plan.total().problems == 4


async def test_plan_skips_pcs_already_ordered(world):
    await world.run()
    await world.harness.channel.click(KARI, VERB_ORDER, {"campaign": CAMPAIGN, "user": KARI.member.email})

    plan = await planner(world).plan(CAMPAIGN_DATE, DueRule(6))

    assert plan.municipalities["molde"].skipped_ordered == 1
    assert KARI.member.email not in [target.user_upn for target in plan.targets]


async def test_the_demo_register_is_messy_and_every_kind_of_problem_is_reported(tmp_path):
    console = Console(record=True, width=220)
    settings = make_settings(tmp_path, pc_inventory_csv=PROJECT_ROOT / "demo" / "inventory.csv")

    status = await plan_command(settings, CAMPAIGN_DATE, tmp_path / "problemer.csv", console)

    assert status == 0
    output = console.export_text()
    assert "Ingenting er sendt." in output and "Totalt" in output
    for municipality in ("Molde", "Aukra", "Hustadvika", "Rauma", "Vestnes"):
        assert municipality in output
    with (tmp_path / "problemer.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    codes = {row["type"] for row in rows}
    assert all(row["forslag"] for row in rows)  # each with what the asset owner should do
    assert all(row["rad"] for row in rows if row["type"] != "no_fallback_approver")  # and the register's row
    for row in rows:
        assert f"{row['rad'] or '–'} " in output.replace("│", " ") or not row["rad"]  # listed on screen too
    assert {"bad_date", "missing_date", "future_date", "missing_user", "invalid_user", "duplicate_row",
            "duplicate_serial", "user_left", "missing_manager", "manager_left", "missing_user_id",
            "no_fallback_approver"} <= codes


async def test_report_csv_chart_and_status_per_municipality(world, register_path, tmp_path):
    write_register(register_path, REGISTER + [
        line("MOL-0009", "5CG9009", "HP EliteBook 830 G5", "09.05.2018", HANNE, kommune="Molde kommune", leader=LENA),
        line("RAU-0009", "CN9009", "HP EliteBook 840 G4", "2017-06-20", ODD, kommune="Rauma kommune", leader=MARI),
    ])
    for person in (HANNE, ODD):
        world.harness.channel.join(person)
    world.configure(pc_campaign_concurrency=1)
    world.harness.connector.fail_next(403, count=1)  # the first target (Ane) cannot be reached
    await world.run()
    channel = world.harness.channel

    async def answer(user, verb):
        await channel.click(user, verb, {"campaign": CAMPAIGN, "user": user.member.email})

    await answer(KARI, VERB_ORDER)
    await answer(PER, VERB_ORDER)
    await answer(HANNE, VERB_NOT_MINE)
    await answer(GURO, VERB_LATER)
    for order in await world.repo.orders.all(CAMPAIGN):
        approver = LENA if order.user_upn == KARI.member.email else FRODE
        verb = VERB_APPROVE if approver is LENA else VERB_REJECT
        await channel.click(approver, verb, {"order": order.id, "comment": "ok"})

    console = Console(record=True, width=200)
    settings = world.settings
    assert await report_command(settings, None, tmp_path / "rapport", console) == 0

    with (tmp_path / "rapport" / f"{CAMPAIGN}-kommuner.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["kommune", "targeted", "sent", "failed", "ordered", "approved", "rejected", "no_response", "not_mine"],
        ["molde", "4", "3", "1", "2", "1", "1", "0", "1"],
        ["rauma", "2", "2", "0", "0", "0", "0", "2", "0"],
        ["totalt", "6", "5", "1", "2", "1", "1", "2", "1"],
    ]
    assert (tmp_path / "rapport" / f"{CAMPAIGN}-kommuner.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with (tmp_path / "rapport" / f"{CAMPAIGN}-ikke-svart.csv").open(encoding="utf-8") as handle:
        assert sorted(row["upn"] for row in csv.DictReader(handle)) == sorted(
            person.member.email for person in (ANE, GURO, ODD))

    console = Console(record=True, width=200)
    assert await status_command(settings, CAMPAIGN, console) == 0
    output = console.export_text()
    assert "målgruppe" in output and "ikke min PC" in output
    assert "Venter på godkjenning: 0, utsatt («minn meg senere»): 1" in output
