"""`rakel ingest [--source …]`: bring the knowledge index up to date, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import asyncio
import logging

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from app import open_knowledge
from core.settings import SearchBackend, Settings, load_settings
from retrieval.ingest import SOURCE_FAILED, Ingestor, build_if_empty
from retrieval.model import IngestSummary
from retrieval.sources import SOURCE_FACTORIES, default_source_names

log = logging.getLogger(__name__)
EMBEDDED_SOURCES = ["local", "tickets"]
MAX_SKIPS_SHOWN = 30


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ingest", help="bring the knowledge index up to date with its sources")
    parser.add_argument(
        "--source",
        choices=[*SOURCE_FACTORIES, "all"],
        default="all",
        help="one source, or all configured ones (default: local folder and ticket export, or "
        "SharePoint and Pureservice when they are configured)",
    )
    parser.set_defaults(run=lambda args: asyncio.run(ingest(load_settings(), args.source)))


async def ingest(settings: Settings, source: str = "all", console: Console | None = None) -> int:
    """Run one ingest and print its summary; exit status 1 when a source failed."""
    console = console or Console()
    names = None if source == "all" else [source]
    async with open_knowledge(settings, names) as knowledge:
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            summary = await Ingestor(knowledge.index, knowledge.sources, knowledge.embedder).run(progress)
    console.print(summary_table(summary))
    if summary.skipped:
        console.print(reasons_table("Skipped", summary.skipped))
    if summary.flagged:
        title = "Flagged for the page's owner: text addressed to an assistant left out, personal data masked"
        console.print(reasons_table(title, summary.flagged))
    failed = any(reason.startswith(SOURCE_FAILED) for _, reason in summary.skipped)
    return 1 if failed else 0


def summary_table(summary: IngestSummary) -> Table:
    table = Table(title="Ingest")
    for column in ("added", "updated", "removed", "unchanged", "skipped", "flagged"):
        table.add_column(column, justify="right")
    table.add_row(
        *(str(value) for value in (summary.added, summary.updated, summary.removed, summary.unchanged)),
        str(len(summary.skipped)),
        str(len(summary.flagged)),
    )
    return table


def reasons_table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title)
    table.add_column("document")
    table.add_column("reason")
    for document_id, reason in rows[:MAX_SKIPS_SHOWN]:
        table.add_row(document_id, reason)
    if len(rows) > MAX_SKIPS_SHOWN:
        table.add_row("…", f"{len(rows) - MAX_SKIPS_SHOWN} more")
    return table


async def ensure_demo_index(settings: Settings) -> IngestSummary | None:
    """At start-up on embedded defaults: index the demo corpus and ticket export if the index is empty.

    With SharePoint, Pureservice or Azure AI Search configured, building the index is left to
    ``rakel ingest`` (a full crawl must not hold up the bot's start).
    """
    if settings.search_backend is not SearchBackend.LOCAL or default_source_names(settings) != EMBEDDED_SOURCES:
        return None
    async with open_knowledge(settings, EMBEDDED_SOURCES) as knowledge:
        summary = await build_if_empty(knowledge.index, knowledge.sources, knowledge.embedder)
    if summary is not None:
        log.info(
            "built the demo knowledge index",
            extra={"added": summary.added, "skipped": len(summary.skipped)},
        )
    return summary
