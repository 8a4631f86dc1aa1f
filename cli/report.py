"""`rakel report`: the monthly report for ROR-IKT's board (HTML with the charts inside, PNG, CSV), and
the PC campaign's own files as before.

    rakel report                       last month, plus the latest PC campaign's report
    rakel report --month 2026-11       that month (and the 12 before it in the trend graph)
    rakel report --month 2026-11 --months 13   figures over 13 months
    rakel report --campaign pc-2026-09 the campaign report of that campaign (as `rakel campaign report`)
"""

from __future__ import annotations

import argparse
import asyncio
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from analytics.monthly import write_monthly_report
from cli.campaign import report_command
from core.logging_setup import configure_logging
from core.settings import Settings, load_settings
from store.store import open_store

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_argument(text: str) -> tuple[int, int]:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"ugyldig måned {text!r} (bruk åååå-mm, f.eks. 2026-11)")
    return int(match.group(1)), int(match.group(2))


def previous_month(now: datetime) -> tuple[int, int]:
    return (now.year - 1, 12) if now.month == 1 else (now.year, now.month - 1)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="the monthly report (HTML, PNG, CSV) and the PC campaign report")
    parser.add_argument("--month", type=month_argument, help="the month, åååå-mm (default: last month)")
    parser.add_argument("--months", type=int, default=1, choices=range(1, 25), metavar="N",
                        help="figures over N months ending with --month (default 1)")
    parser.add_argument("--out", type=Path, help="folder (default: RAKEL_REPORT_DIR/<month>)")
    parser.add_argument("--campaign", help="only the PC campaign report of this campaign")
    parser.set_defaults(run=lambda args: asyncio.run(report_main(load_settings(), args)))


async def report_main(settings: Settings, args: argparse.Namespace) -> int:
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level, settings.log_format)
    if args.campaign:
        return await report_command(settings, args.campaign, args.out)
    now = datetime.now(ZoneInfo(settings.timezone))
    year, month = args.month or previous_month(now)
    store = await open_store(settings.database_target, staff_municipality=settings.staff_municipality)
    try:
        files = await write_monthly_report(store.analytics, store.pc.campaigns, settings, year, month,
                                           months=args.months, now=now, directory=args.out)
        has_campaign = bool(await store.pc.campaigns.all("campaign"))
    finally:
        await store.close()
    console = Console()
    console.print(f"Månedsrapport: [bold]{files.html}[/bold]")
    for path in [*files.charts, *files.tables]:
        console.print(f"  {path}")
    if has_campaign:  # `rakel report` has always written the PC campaign report too
        return await report_command(settings, None, None)
    return 0
