"""Sending a campaign: plan, store one target per employee (the campaign + user key), then send each
target its card at the configured rate. Resumable: a re-run sends only what is not recorded as sent.

The one window no sender can close is a message Teams accepted just before the process died, before
the store heard of it: such a target is found in "sending" on the next run and sent again (at least
once, so no one is missed). The card is harmless twice: it always shows the current state, and its
buttons act once per campaign and employee.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

from core.messages import Reply
from core.ports import DeliveryError
from skills.pc_replacement.cards import employee_card
from skills.pc_replacement.context import PcContext
from skills.pc_replacement.delivery import Undeliverable
from skills.pc_replacement.planning import Planner
from store.leases import LeaseKeeper
from store.pc.models import SENDING, Target

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5  # how often a new run looks whether the lease of a vanished run has run out
CAMPAIGN = "campaign"
SENT, FAILED, SKIPPED = "sent", "failed", "skipped"


class CampaignBusy(Exception):
    """Another live run is sending this campaign."""


def default_campaign_id(campaign_date: date) -> str:
    return f"pc-{campaign_date:%Y-%m}"


def lease_name(campaign_id: str) -> str:
    return f"pc_campaign:{campaign_id}"


def holder_is_dead(holder: str) -> bool:
    """True when the lease holder is known gone: a process on this machine that no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if not holder or host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


async def take_campaign(leases: LeaseKeeper, campaign_id: str, *, force: bool = False, wait: bool = True,
                        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Hold the campaign's lease: the one process sending it. A run that died on this machine is taken
    over at once; one that vanished elsewhere as soon as its lease runs out (``ttl`` seconds after its
    last heartbeat), so a resume right after a crash waits seconds instead of being refused. ``force``
    takes over a holder that still looks alive. Raises CampaignBusy when a live run holds it."""
    name = lease_name(campaign_id)
    deadline = leases.now() + leases.ttl + leases.heartbeat
    while not await leases.take(name):
        holder = await leases.holder(name)
        if holder is None:
            continue  # it ran out between the two looks
        if (force or holder_is_dead(holder)) and await leases.take_over(name, holder):
            log.warning("took over a campaign from a run that is gone", extra={"campaign": campaign_id})
            return
        if not wait or leases.now() >= deadline:
            raise CampaignBusy(holder)
        await sleep(POLL_SECONDS)


@dataclass
class RunResult:
    campaign_id: str
    targeted: int = 0  # targets in the campaign, all runs
    added: int = 0  # new targets in this run
    to_send: int = 0  # not yet sent when this run started
    uncertain: int = 0  # of which left "sending" by a run that died
    outcomes: Counter = field(default_factory=Counter)
    seconds: float = 0.0


class CardSender:
    """Sends one target its campaign card and records the outcome (the campaign run, and the service's
    retries of sends Teams kept refusing)."""

    def __init__(self, context: PcContext) -> None:
        self._context = context

    async def send(self, target: Target) -> str:
        context, repo = self._context, self._context.repo
        if not await repo.targets.claim_delivery(target.campaign_id, target.user_key, context.now()):
            return SKIPPED  # answered meanwhile (so it arrived), or another run has it
        user_id = target.user_id or await self._resolve_id(target)
        card = employee_card(target, None, context.cards())
        try:
            delivered = await context.courier.deliver(user_id, Reply(card=card))
        except Undeliverable as error:
            await repo.targets.mark_failed(target.campaign_id, target.user_key, str(error))
            return FAILED
        except DeliveryError as error:  # Teams kept refusing (429 storm, outage): the service tries again
            await repo.targets.mark_failed(target.campaign_id, target.user_key, f"Teams {error.status}: {error}",
                                           retry_at=context.now())
            return FAILED
        await repo.targets.mark_sent(target.campaign_id, target.user_key, user_id, delivered.conversation_id,
                                     delivered.activity_id, context.now())
        return SENT

    async def _resolve_id(self, target: Target) -> str:
        """An employee the plan knew only by UPN may have opened Rakel (or joined the directory) since."""
        person = await self._context.person(target.user_upn)
        return person.id if person else ""


class CampaignRunner:
    def __init__(self, context: PcContext, planner: Planner, *, progress: Callable[[str], None] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._context = context
        self._planner = planner
        self._progress = progress
        self._sender = CardSender(context)
        self._sleep = sleep

    async def run(self, campaign_id: str, campaign_date: date, *, force: bool = False) -> RunResult:
        started = time.monotonic()
        context, repo = self._context, self._context.repo
        settings = context.settings
        campaign = await repo.campaigns.create(campaign_id, CAMPAIGN, campaign_date, settings.pc_max_age_years,
                                              context.now())
        if campaign.kind != CAMPAIGN:
            raise ValueError(f"{campaign_id} is not a campaign")
        leases = context.ports.leases
        await take_campaign(leases, campaign_id, force=force, sleep=self._sleep)
        await repo.campaigns.record_run(campaign_id, context.now())
        result = RunResult(campaign_id)
        try:
            plan = await self._planner.plan(campaign.campaign_date, context.rule(campaign.max_age_years))
            result.added = await repo.targets.add(campaign_id, plan.targets, context.now())
            todo = await repo.targets.unsent(campaign_id)
            result.to_send = len(todo)
            result.uncertain = sum(1 for target in todo if target.delivery == SENDING)
            if result.uncertain:
                log.warning("re-sending targets a crashed run left uncertain", extra={"count": result.uncertain})
            await self._send_all(todo, result)
            result.targeted = len(await repo.targets.of_campaign(campaign_id))
        finally:
            await asyncio.shield(leases.release(lease_name(campaign_id)))
        result.seconds = time.monotonic() - started
        return result

    async def _send_all(self, todo: list[Target], result: RunResult) -> None:
        queue: asyncio.Queue[Target] = asyncio.Queue()
        for target in todo:
            queue.put_nowait(target)

        async def worker() -> None:
            while not queue.empty():
                outcome = await self._sender.send(queue.get_nowait())
                result.outcomes[outcome] += 1
                if self._progress is not None:
                    self._progress(outcome)

        concurrency = self._context.settings.pc_campaign_concurrency
        async with asyncio.TaskGroup() as group:  # one crashing worker stops them all
            for _ in range(min(concurrency, max(1, len(todo)))):
                group.create_task(worker())
