"""`rakel campaign plan|run|remind|report|status`: the PC replacement campaign (`rakel report` writes its
report too, beside the monthly report).

- plan:   a dry run: who would get a message, counts per municipality, every problem row. Sends nothing.
- run:    send the campaign card to every employee with a due PC; a re-run resumes where it stopped.
- remind: one round of reminders, escalations and retries now (the service does this every 15 minutes).
- report: CSV per municipality, a chart (PNG) and a CSV of who has not acted.
- status: the same figures in the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from app import Runtime, build_runtime
from connectors.inventory.register import parse_date
from core.logging_setup import configure_logging
from core.ports import InventoryError
from core.settings import Settings, load_settings
from skills.catalog import pc_ports
from skills.pc_replacement.approvals import Approvals
from skills.pc_replacement.campaign import CAMPAIGN, CampaignBusy, CampaignRunner, default_campaign_id, lease_name
from skills.pc_replacement.context import PcContext, PcPorts
from skills.pc_replacement.followups import FollowUps
from skills.pc_replacement.planning import Plan, Planner
from skills.pc_replacement.report import COLUMN_TITLES, CampaignReport, build_report, write_all
from store.pc.models import STAT_FIELDS, Campaign

PLAN_COLUMNS = (("devices", "PC-er"), ("due", "utløpt"), ("targets", "mottakere"),
                ("skipped_ordered", "alt bestilt"), ("skipped_retired", "kassert"),
                ("skipped_left", "sluttet/ukjent"), ("problems", "problemer"))


def _date(text: str) -> date:
    parsed = parse_date(text)
    if parsed is None:
        raise argparse.ArgumentTypeError(f"ugyldig dato {text!r} (bruk åååå-mm-dd eller dd.mm.åååå)")
    return parsed


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("campaign", help="the PC replacement campaign: plan, run, remind, report, status")
    commands = parser.add_subparsers(dest="campaign_command", required=True)

    plan = commands.add_parser("plan", help="dry run: counts per municipality and every problem row; sends nothing")
    plan.add_argument("--date", type=_date, help="campaign date (default: today)")
    plan.add_argument("--problems-csv", type=Path,
                      help="where to write every problem row for the asset owner (default: RAKEL_PC_REPORT_DIR)")
    plan.set_defaults(run=lambda args: _main(plan_command(load_settings(), args.date, args.problems_csv)))

    run = commands.add_parser("run", help="send the campaign cards (resumes an interrupted run)")
    run.add_argument("--campaign", help="campaign id (default: pc-<year>-<month> of the date)")
    run.add_argument("--date", type=_date, help="campaign date for a new campaign (default: today)")
    run.add_argument("--force", action="store_true",
                     help="take over from a run that still looks alive elsewhere (a run that died is taken over anyway)")
    run.set_defaults(run=lambda args: _main(run_command(load_settings(), args.campaign, args.date, args.force)))

    remind = commands.add_parser("remind", help="send due reminders, escalate and retry now")
    remind.set_defaults(run=lambda args: _main(remind_command(load_settings())))

    for name, help_text in (("report", "write the report (CSV + PNG chart)"), ("status", "show the figures")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--campaign", help="campaign id (default: the latest)")
        if name == "report":
            command.add_argument("--out", type=Path, help="folder (default: RAKEL_PC_REPORT_DIR)")
            command.set_defaults(run=lambda args: _main(report_command(load_settings(), args.campaign, args.out)))
        else:
            command.set_defaults(run=lambda args: _main(status_command(load_settings(), args.campaign)))


def _main(command) -> int:  # noqa: ANN001 - a coroutine
    return asyncio.run(command)


@asynccontextmanager
async def _runtime(settings: Settings) -> AsyncIterator[Runtime]:
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level, settings.log_format)
    runtime = await build_runtime(settings)
    try:
        yield runtime
    finally:
        await runtime.close()


def _ports(runtime: Runtime) -> PcPorts:
    return pc_ports(runtime.adapters, runtime.skills.tickets)


def _planner(runtime: Runtime) -> Planner:
    ports = _ports(runtime)
    return Planner(ports.inventory, ports.directory, ports.repo.orders, ports.settings.pc_fallback_approvers)


# --- plan ----------------------------------------------------------------------------------
async def plan_command(settings: Settings, campaign_date: date | None, problems_csv: Path | None,
                       console: Console | None = None) -> int:
    console = console or Console()
    async with _runtime(settings) as runtime:
        context = PcContext.create(_ports(runtime))
        on = campaign_date or context.today()
        try:
            plan = await _planner(runtime).plan(on, context.rule())
        except InventoryError as error:
            console.print(f"[red]Kan ikke lese maskinregisteret:[/] {error}")
            return 1
    rule = "eldre enn" if settings.pc_due_rule == "older_than" else "minst"
    console.print(f"Plan for PC-rullering {on:%d.%m.%Y}: PC-er {rule} {settings.pc_max_age_years} år "
                  f"(kilde: {plan.source}). [bold]Ingenting er sendt.[/]")
    console.print(plan_table(plan))
    console.print(problems_table(plan))
    problems_csv = problems_csv or settings.pc_reports_path / f"registerproblemer-{on:%Y-%m-%d}.csv"
    write_problems_csv(plan, problems_csv)
    console.print(f"Alle {len(plan.problems)} problemrader, med forslag til retting, er skrevet til {problems_csv}")
    return 0


def plan_table(plan: Plan) -> Table:
    table = Table(title="Per kommune")
    table.add_column("kommune")
    for _, title in PLAN_COLUMNS:
        table.add_column(title, justify="right")
    for municipality in sorted(plan.municipalities):
        row = plan.municipalities[municipality]
        table.add_row(municipality.capitalize(), *(str(getattr(row, name)) for name, _ in PLAN_COLUMNS))
    total = plan.total()
    table.add_row("[bold]Totalt[/]", *(f"[bold]{getattr(total, name)}[/]" for name, _ in PLAN_COLUMNS))
    return table


def problems_table(plan: Plan) -> Table:
    table = Table(title=f"Problemer i registeret ({len(plan.problems)})")
    for title in ("rad", "enhet", "kommune", "problem", "følge", "forklaring", "forslag"):
        table.add_column(title, overflow="fold")
    for problem in plan.problems:
        table.add_row(str(problem.row or "–"), problem.device, (problem.municipality or "ukjent").capitalize(),
                      problem.code, "hoppet over" if problem.skipped else "advarsel", problem.detail, problem.fix)
    return table


def write_problems_csv(plan: Plan, path: Path) -> None:
    """Every problem row for the asset owner: the register's row number, what is wrong and how to fix it
    (``;`` and a BOM, so Excel on Norwegian Windows opens it as columns)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["rad", "enhet", "serienummer", "kommune", "type", "hoppet_over", "problem", "forslag"])
        for problem in plan.problems:
            writer.writerow([problem.row or "", problem.device, problem.serial, problem.municipality or "",
                             problem.code, "ja" if problem.skipped else "nei", problem.detail, problem.fix])


# --- run and remind ------------------------------------------------------------------------
async def run_command(settings: Settings, campaign_id: str | None, campaign_date: date | None, force: bool,
                      console: Console | None = None) -> int:
    console = console or Console()
    async with _runtime(settings) as runtime:
        context = PcContext.create(_ports(runtime))
        on = campaign_date or context.today()
        campaign_id = campaign_id or default_campaign_id(on)
        existing = await runtime.store.pc.campaigns.get(campaign_id)
        if existing is not None and campaign_date is not None and existing.campaign_date != campaign_date:
            console.print(f"[yellow]{campaign_id} finnes allerede med dato {existing.campaign_date:%d.%m.%Y}; "
                          "den datoen brukes.[/]")
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(f"{campaign_id}: sender …")
            counts = {"sent": 0, "failed": 0}

            def progress(outcome: str) -> None:
                counts[outcome] = counts.get(outcome, 0) + 1
                bar.update(task, description=f"{campaign_id}: sendt {counts['sent']}, feilet {counts['failed']}")

            runner = CampaignRunner(context, _planner(runtime), progress=progress)
            try:
                result = await runner.run(campaign_id, on, force=force)
            except CampaignBusy as busy:
                console.print(f"[red]{campaign_id} sendes allerede av {busy}, som fortsatt lever.[/] Vent, eller bruk --force hvis "
                              "den kjøringen er borte.")
                return 1
            except InventoryError as error:
                console.print(f"[red]Kan ikke lese maskinregisteret:[/] {error}")
                return 1
        console.print(
            f"{campaign_id}: {result.targeted} mottakere ({result.added} nye), {result.to_send} å sende "
            f"({result.uncertain} usikre fra en avbrutt kjøring), sendt {result.outcomes['sent']}, "
            f"feilet {result.outcomes['failed']} på {result.seconds:.0f} s "
            f"({context.courier.pacer.rate:g} meldinger/s)."
        )
        console.print(status_table(await build_report(runtime.store.pc.campaigns, await _campaign(runtime, campaign_id))))
    return 0 if result.outcomes["failed"] == 0 else 3


async def remind_command(settings: Settings, console: Console | None = None) -> int:
    console = console or Console()
    async with _runtime(settings) as runtime:
        context = PcContext.create(_ports(runtime))
        result = await FollowUps(context, Approvals(context)).run_once()
    console.print(
        f"Kampanjekort sendt på nytt: {result.resent}, påminnelser til ansatte: {result.employee_reminders}, "
        f"godkjenningskort levert: {result.approval_cards}, "
        f"påminnelser til ledere: {result.leader_reminders}, sendt til reservegodkjenner: {result.escalations}, "
        f"saker opprettet: {result.tickets}, ansatte varslet: {result.notices}."
    )
    return 0


# --- report and status ---------------------------------------------------------------------
async def _campaign(runtime: Runtime, campaign_id: str | None) -> Campaign | None:
    if campaign_id:
        return await runtime.store.pc.campaigns.get(campaign_id)
    campaigns = await runtime.store.pc.campaigns.all(CAMPAIGN)
    return campaigns[-1] if campaigns else None


async def _report(settings: Settings, campaign_id: str | None, console: Console) -> tuple[CampaignReport, str] | None:
    """The named (or newest) campaign's report and who is sending it now ("" when nobody); None, said on the
    console, when there is no such campaign."""
    async with _runtime(settings) as runtime:
        campaign = await _campaign(runtime, campaign_id)
        if campaign is None:
            console.print(f"[yellow]Fant ingen kampanje{f' {campaign_id}' if campaign_id else ''}.[/]")
            return None
        report = await build_report(runtime.store.pc.campaigns, campaign)
        return report, await runtime.store.leases.holder(lease_name(campaign.id)) or ""


async def report_command(settings: Settings, campaign_id: str | None, out: Path | None,
                         console: Console | None = None) -> int:
    console = console or Console()
    found = await _report(settings, campaign_id, console)
    if found is None:
        return 1
    report, _ = found
    paths = await asyncio.to_thread(write_all, report, out or settings.pc_reports_path)
    console.print(status_table(report))
    for path in paths:
        console.print(f"Skrev {path}")
    return 0


async def status_command(settings: Settings, campaign_id: str | None, console: Console | None = None) -> int:
    console = console or Console()
    found = await _report(settings, campaign_id, console)
    if found is None:
        return 1
    report, holder = found
    campaign = report.campaign
    last = datetime.fromtimestamp(campaign.last_run_at).strftime("%d.%m.%Y %H:%M") if campaign.last_run_at else "aldri"
    running = f", sendes nå av {holder}" if holder else ""
    console.print(f"[bold]{campaign.id}[/] – kampanjedato {campaign.campaign_date:%d.%m.%Y}, "
                  f"{campaign.runs} kjøring(er), sist {last}{running}")
    console.print(status_table(report))
    total = report.total.extra
    console.print(f"Venter på godkjenning: {total.get('awaiting_approval', 0)}, utsatt («minn meg senere»): "
                  f"{total.get('postponed', 0)}, påminnelser sendt: {total.get('reminders', 0)}, "
                  f"feilet og prøves igjen av tjenesten: {total.get('to_retry', 0)}")
    return 0


def status_table(report: CampaignReport) -> Table:
    table = Table(title=f"{report.campaign.id} per kommune")
    table.add_column("kommune")
    for name in STAT_FIELDS:
        table.add_column(COLUMN_TITLES[name], justify="right")
    for row in report.rows:
        table.add_row(row.municipality.capitalize(), *(str(getattr(row, name)) for name in STAT_FIELDS))
    total = report.total
    table.add_row("[bold]Totalt[/]", *(f"[bold]{getattr(total, name)}[/]" for name in STAT_FIELDS))
    return table

