"""`rakel tickets`: the local ticket desk for Kundeservice (when no Pureservice is configured), and the outbox.

    rakel tickets                    the newest tickets of the local desk
    rakel tickets show 1001          one ticket with its description and notes
    rakel tickets show 1001 --files ut/   ... and save its attachments (screenshots) in ut/
    rakel tickets status 1001 Løst   set a ticket's status (Ny, Under arbeid, Venter, Løst, Lukket)
    rakel tickets outbox             tickets not yet at the desk (queued or refused), and what happened
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from connectors.azure_identity import database_password
from connectors.local_desk import STATUSES, LocalTicketDesk
from core.settings import Settings, load_settings
from store.store import Store, open_store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tickets", help="list the local ticket desk's tickets, and the ticket outbox")
    parser.add_argument("--limit", type=int, default=50, help="how many rows to show (default 50)")
    actions = parser.add_subparsers(dest="action")
    actions.add_parser("list", help="the newest tickets (the default)")
    show = actions.add_parser("show", help="one ticket, with its description and notes")
    show.add_argument("number")
    show.add_argument("--files", type=Path, help="save the ticket's attachments in this folder")
    status = actions.add_parser("status", help="set a ticket's status")
    status.add_argument("number")
    status.add_argument("status", choices=list(STATUSES))
    actions.add_parser("outbox", help="tickets not yet at the desk, queued or refused")
    parser.set_defaults(run=lambda args: asyncio.run(run(load_settings(), args)))


async def run(settings: Settings, args: argparse.Namespace, console: Console | None = None) -> int:
    console = console or Console()
    resources = AsyncExitStack()  # the managed identity, when PostgreSQL is reached with its tokens
    store = await open_store(settings.database_target, staff_municipality=settings.staff_municipality,
                             password=database_password(settings, resources))
    desk = LocalTicketDesk(store.db, store.leases)
    try:
        action = args.action or "list"
        if action == "outbox":
            console.print(await outbox_table(store, args.limit, settings.timezone))
            return 0
        if settings.pureservice_url and action != "list":
            console.print("Pureservice er satt opp (RAKEL_PURESERVICE_URL): sakene ligger der.")
            return 1
        if action == "show":
            return await show(desk, args.number, console, settings.timezone, args.files)
        if action == "status":
            if not await desk.set_status(args.number, args.status):
                console.print(f"Fant ingen sak {args.number}.")
                return 1
            console.print(f"Sak {args.number} har nå status «{args.status}».")
            return 0
        if settings.pureservice_url:
            console.print("Pureservice er satt opp (RAKEL_PURESERVICE_URL): sakene ligger der. "
                          "`rakel tickets outbox` viser saker som ikke er sendt ennå.")
            return 0
        console.print(await tickets_table(desk, args.limit, settings.timezone))
        return 0
    finally:
        await store.close()
        await resources.aclose()


def _time(epoch: float, zone: str) -> str:
    return datetime.fromtimestamp(epoch, UTC).astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M")


async def tickets_table(desk: LocalTicketDesk, limit: int, zone: str) -> Table:
    table = Table(title="Saker i den lokale saksbehandlingen")
    for column in ("nr", "opprettet", "status", "kategori", "prioritet", "innmelder", "emne"):
        table.add_column(column, justify="right" if column == "nr" else "left")
    for ticket in await desk.all(limit):
        table.add_row(ticket.number, _time(ticket.created_at, zone), ticket.status, ticket.category or "–",
                      ticket.priority, f"{ticket.requester_name} <{ticket.requester_email}>", ticket.subject)
    return table


async def outbox_table(store: Store, limit: int, zone: str) -> Table:
    table = Table(title="Saker i utboksen")
    for column in ("status", "forsøk", "neste forsøk", "saksnr", "varslet", "innmelder", "emne", "siste feil"):
        table.add_column(column)
    for entry in await store.tickets.outbox.entries(limit):
        next_attempt = _time(entry.next_attempt_at, zone) if entry.state == "pending" else ""
        table.add_row(entry.state, str(entry.attempts), next_attempt, entry.ticket.number if entry.ticket else "",
                      entry.notify_state, entry.requester_email, entry.subject, entry.last_error[:80])
    return table


async def show(desk: LocalTicketDesk, number: str, console: Console, zone: str, files: Path | None = None) -> int:
    ticket = await desk.by_number(number)
    if ticket is None:
        console.print(f"Fant ingen sak {number}.")
        return 1
    console.print(f"[bold]Sak {ticket.number}: {ticket.subject}[/bold]")
    console.print(f"Status: {ticket.status} · kategori: {ticket.category or '–'} · prioritet: {ticket.priority}")
    console.print(f"Innmelder: {ticket.requester_name} <{ticket.requester_email}>"
                  + (f" · telefon {ticket.phone}" if ticket.phone else ""))
    console.print(f"Opprettet {_time(ticket.created_at, zone)}, sist endret {_time(ticket.updated_at, zone)}")
    if ticket.attachment_names:
        console.print("Vedlegg: " + ", ".join(ticket.attachment_names))
    console.print()
    console.print(ticket.description, markup=False)
    for note in await desk.notes(ticket.id):
        console.print()
        console.print(f"Notat: {note}", markup=False)
    if files is not None:
        files.mkdir(parents=True, exist_ok=True)
        for name, _, data in await desk.file_data(ticket.id):
            target = files / Path(name).name
            target.write_bytes(data)
            console.print(f"Lagret {target}")
    return 0
