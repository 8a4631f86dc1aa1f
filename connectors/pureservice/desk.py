"""The TicketDesk on Pureservice: create tickets, list a user's own tickets, add notes, read solutions.

Ids are never hard-coded: statuses, priorities, ticket types, sources, the zone, categories and the
request type are looked up by name per tenant (the names are settings, names.py); every one is
checked at start-up and by /readyz, and a missing one is reported with its setting. Creating is idempotent: the draft's
idempotency key goes in ``customerReference``, and every attempt first looks for a ticket that
already carries it, so a retry after a timeout or a 500 never makes a second ticket.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePath
from typing import Any
from weakref import WeakValueDictionary

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from connectors.pureservice.client import Page, PureserviceClient, Row
from connectors.pureservice.errors import MissingEntityError
from connectors.pureservice.names import REQUEST_TYPE_KEY, DeskNames, Lookup, MissingNameError
from connectors.pureservice.query import datetime_literal, string_literal
from connectors.pureservice.text import html_to_text, text_to_html
from core.lifecycle import NotReady
from core.ports import ResolvedTicket, TicketAttachment, TicketDeskError, TicketDraft, TicketSummary
from core.settings import Settings, SettingsError

log = logging.getLogger(__name__)

NAMES_RECHECK_SECONDS = 300.0  # /readyz looks every name up again this often (a probe every few seconds is a ping)
FINISHED_CORE_STATUS = 50  # coreStatus below 50 is open; 50 and above is resolved or closed
INTERNAL_NOTE = {"type": 1, "direction": 3, "visibility": 0}
SOLUTION_COMMUNICATION_TYPES = frozenset({4, 50})  # "Solution" in the two numberings seen in clients
VISIBLE_WITH_RECEIPT = 0

# Text that goes into tickets (Norwegian: Kundeservice reads it).
ON_BEHALF_NOTE = "Meldt inn via Rakel av {name} ({email}), som ikke ble funnet som bruker i Pureservice."
PHONE_LINE = "Telefon: {phone}"

@dataclass(frozen=True)
class PureserviceResolvedTicket(ResolvedTicket):
    """A ResolvedTicket plus the names of the people on it (requester, agents), for masking."""

    people: tuple[str, ...] = ()


def ticket_url(base_url: str, request_number: int | str) -> str:
    """The link to a ticket in Pureservice, by the number users see."""
    return f"{base_url.rstrip('/')}/agent/app#/ticket/{request_number}"


class PureserviceTicketDesk:
    def __init__(
        self,
        client: PureserviceClient,
        *,
        fallback_requester_email: str = "",
        names: DeskNames | None = None,
        recent_days: int = 30,
        max_listed: int = 20,
        create_attempts: int = 2,
        create_timeout: float | None = None,
        backoff_seconds: float = 1.0,
        resolved_page_size: int = 100,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._fallback_email = fallback_requester_email
        self._names = names or DeskNames()
        self._recent = timedelta(days=recent_days)
        self._max_listed = max_listed
        self._create_attempts = create_attempts
        self._create_timeout = create_timeout
        self._backoff = wait_exponential_jitter(initial=backoff_seconds, max=10 * backoff_seconds)
        self._resolved_page_size = resolved_page_size
        self._clock = clock
        self._sleep = sleep
        self._key_locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()
        self._fallback_id: int | None = None
        self._missing_names: list[str] = []
        self._names_checked_at = float("-inf")
        self._statuses: dict[int, Row] | None = None
        self._statuses_lock = asyncio.Lock()

    @classmethod
    def from_settings(
        cls, settings: Settings, client: PureserviceClient | None = None
    ) -> PureserviceTicketDesk:
        return cls(
            client or PureserviceClient.from_settings(settings),
            fallback_requester_email=settings.pureservice_fallback_requester_email,
            names=DeskNames.from_settings(settings),
            create_timeout=settings.tickets_attempt_timeout_seconds,
        )

    # --- TicketDesk -----------------------------------------------------------------------
    async def create_ticket(
        self, draft: TicketDraft, *, sending: Callable[[], Awaitable[None]] | None = None
    ) -> TicketSummary:
        """Create the ticket once, whatever happens: retried here a little, then by the caller's outbox.

        The POST is waited for up to ``create_timeout`` (a slow create may still be stored); after no
        answer it is not repeated here: the error goes to the caller, whose later attempt looks for
        the key (twice, a little apart) before it creates.
        """
        lock = self._key_locks.get(draft.idempotency_key)
        if lock is None:
            lock = self._key_locks[draft.idempotency_key] = asyncio.Lock()
        async with lock:  # a double click in this process waits for the first click's ticket
            retrying = AsyncRetrying(
                retry=retry_if_exception(_worth_retrying_now),
                stop=stop_after_attempt(self._create_attempts),
                wait=self._backoff,
                sleep=self._sleep,
                reraise=True,
            )
            async for attempt in retrying:
                with attempt:
                    return await self._create_once(draft, sending)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def find_ticket(self, idempotency_key: str) -> TicketSummary | None:
        ticket = await self._ticket_with_reference(idempotency_key)
        if ticket is None:
            return None
        return self._summary(ticket, await self._status_table(), "", on_behalf=await self._is_fallback(ticket))

    async def tickets_for(self, requester_email: str, filed_for: Sequence[str] = ()) -> list[TicketSummary]:
        """Open and recently changed tickets of this requester, newest first; never anyone else's.
        ``filed_for``: ids of tickets Rakel filed for this requester under the fallback requester
        (from Rakel's own record), listed too."""
        since = self._clock() - self._recent
        current = (f"!isMarkedForDeletion AND (status.coreStatus < {FINISHED_CORE_STATUS}"
                   f" OR modified >= {datetime_literal(since)})")
        page = await self._client.page(
            "ticket",
            filter=f"user.emailaddress.email == {string_literal(requester_email)} AND {current}",
            include=("user", "user.emailaddress"),
            sort="created desc",
            limit=self._max_listed,
        )
        statuses = await self._status_table()
        mine = await self._filed_for(filed_for, current, statuses, requester_email)
        for ticket in page.rows:
            if not _belongs_to(ticket, requester_email, page):
                log.warning(
                    "pureservice returned ticket %s of another requester for a requester filter; dropped",
                    ticket.get("id"),
                )
                continue
            mine.append(self._summary(ticket, statuses, requester_email))
        mine.sort(key=lambda ticket: ticket.updated, reverse=True)
        return mine[: self._max_listed]

    async def _filed_for(
        self, ids: Sequence[str], current: str, statuses: dict[int, Row], requester_email: str
    ) -> list[TicketSummary]:
        wanted = [int(ticket_id) for ticket_id in ids[: self._max_listed] if ticket_id.isdigit()]
        if not wanted:
            return []
        page = await self._client.page(
            "ticket", filter=f"({' OR '.join(f'id == {ticket_id}' for ticket_id in wanted)}) AND {current}",
            sort="created desc", limit=self._max_listed,
        )
        return [self._summary(ticket, statuses, requester_email, on_behalf=True) for ticket in page.rows
                if ticket.get("id") in wanted]

    async def add_note(self, ticket_id: str, text: str) -> None:
        """An internal note (not visible to the requester)."""
        await self._client.create(
            "communication", {"ticketId": int(ticket_id), "text": text_to_html(text), **INTERNAL_NOTE}
        )

    async def resolve_ticket(self, ticket_id: str, solution: str) -> None:
        """``PATCH /ticket/{id}`` with the flat ``statusId`` of the resolved status and the solution."""
        status_id = await self._id(self._names.status_lookup(resolved=True))
        await self._client.request("PATCH", f"/ticket/{int(ticket_id)}",
                                   json_body={"statusId": status_id, "solution": text_to_html(solution)})

    async def check(self) -> None:
        """Readiness: Pureservice answers, and (as of the last check of the names, at most
        ``NAMES_RECHECK_SECONDS`` old) every name Rakel uses exists; else which one is missing."""
        if time.monotonic() - self._names_checked_at > NAMES_RECHECK_SECONDS:
            await self.recheck_names()
        else:
            await self._client.page("status", limit=1, retry=False)
        if self._missing_names:
            raise NotReady("; ".join(self._missing_names))

    async def recheck_names(self) -> list[str]:
        """Look every name up again (a renamed status shows within minutes); the problems found."""
        self._missing_names = await self.missing_names(fresh=True)
        self._names_checked_at = time.monotonic()
        return self._missing_names

    async def missing_names(self, *, fresh: bool = False) -> list[str]:
        """Every setting whose name the tenant lacks, with the setting (raises when Pureservice cannot be asked)."""
        problems = []
        for lookup in [None, *self._names.all_lookups()]:
            try:
                await (self._request_type_id(fresh=fresh) if lookup is None else self._id(lookup, fresh=fresh))
            except MissingEntityError as error:
                problems.append(str(error))
        if self._fallback_email and await self._user_id(self._fallback_email) is None:
            problems.append(_fallback_missing(self._fallback_email))
        return problems

    async def verify_names(self) -> None:
        """At start-up: refuse to start when a name or the API key is wrong (SettingsError naming the
        setting); when Pureservice does not answer, start anyway (tickets queue) and say so."""
        try:
            problems = await self.recheck_names()
        except TicketDeskError as error:
            if not error.retryable:
                raise SettingsError(str(error)) from error
            log.warning("pureservice: could not check the ticket settings at start-up (it does not answer); "
                        "checked again by /readyz", extra={"error": str(error)[:300]})
            return
        if problems:
            raise SettingsError("; ".join(problems))
        if not self._fallback_email:
            log.warning("RAKEL_PURESERVICE_FALLBACK_REQUESTER_EMAIL is empty: users Pureservice does not know "
                        "cannot file tickets")

    async def close(self) -> None:
        await self._client.close()

    # --- for the knowledge index ----------------------------------------------------------
    async def resolved_tickets(
        self, modified_since: datetime | None = None
    ) -> AsyncIterator[PureserviceResolvedTicket]:
        """Resolved and closed tickets with their solution, oldest change first (for incremental runs)."""
        clauses = [f"status.coreStatus >= {FINISHED_CORE_STATUS}", "!isMarkedForDeletion"]
        if modified_since is not None:
            clauses.append(f"modified > {datetime_literal(modified_since)}")
        statuses = await self._status_table()
        async for page in self._client.pages(
            "ticket",
            filter=" AND ".join(clauses),
            include=("communications", "user", "user.emailaddress", "assignedAgent", "category1"),
            sort="modified asc",
            page_size=self._resolved_page_size,
        ):
            for ticket in page.rows:
                status = statuses.get(ticket.get("statusId"))
                if status is None or status.get("coreStatus", 0) < FINISHED_CORE_STATUS:
                    log.warning(
                        "pureservice returned ticket %s that is not finished; skipped", ticket.get("id")
                    )
                    continue
                yield self._resolved(ticket, page)

    # --- creating -------------------------------------------------------------------------
    async def _create_once(self, draft: TicketDraft, sending: Callable[[], Awaitable[None]] | None) -> TicketSummary:
        ticket = await self._ticket_with_reference(draft.idempotency_key)
        if ticket is None:
            record = await self._new_ticket(draft)
            if sending is not None:
                await sending()
            ticket = await self._client.create("ticket", record, timeout=self._create_timeout)
            log.info("pureservice created ticket %s (number %s)", ticket["id"], ticket.get("requestNumber"))
        else:
            log.info(
                "pureservice ticket %s already carries this idempotency key; not created again", ticket["id"]
            )
        await self._attach_missing(ticket["id"], draft.attachments)
        return self._summary(ticket, await self._status_table(), draft.requester_email,
                             on_behalf=await self._is_fallback(ticket))

    async def _is_fallback(self, ticket: Row) -> bool:
        """Was the ticket filed under the fallback requester (its user is the fallback user)?"""
        if not self._fallback_email or ticket.get("userId") is None:
            return False
        if self._fallback_id is None:
            self._fallback_id = await self._user_id(self._fallback_email)
        return ticket["userId"] == self._fallback_id

    async def _ticket_with_reference(self, key: str) -> Row | None:
        rows = (
            await self._client.page("ticket", filter=f"customerReference == {string_literal(key)}", limit=1)
        ).rows
        return rows[0] if rows else None

    async def _new_ticket(self, draft: TicketDraft) -> dict[str, Any]:
        requester_id = await self._user_id(draft.requester_email)
        lines = [draft.description]
        if requester_id is None:
            requester_id = await self._fallback_requester_id(draft)
            lines.insert(0, ON_BEHALF_NOTE.format(name=draft.requester_name, email=draft.requester_email))
        if draft.phone:
            lines.append(PHONE_LINE.format(phone=draft.phone))
        names = self._names
        links: dict[str, dict[str, int]] = {
            "user": {"id": requester_id},
            "requestType": {"id": await self._request_type_id()},
            "ticketType": {"id": await self._id(names.ticket_type_lookup(draft.ticket_type))},
            "priority": {"id": await self._id(names.priority_lookup(draft.priority))},
            "status": {"id": await self._id(names.status_lookup(resolved=draft.resolved))},
            "source": {"id": await self._id(names.source_lookup())},
            "assignedDepartment": {"id": await self._id(names.zone_lookup())},
        }
        if (category_id := await self._category_id(draft.category)) is not None:
            links["category1"] = {"id": category_id}
        ticket: dict[str, Any] = {
            "subject": draft.subject,
            "description": text_to_html("\n\n".join(line for line in lines if line.strip())),
            "visibility": VISIBLE_WITH_RECEIPT,
            "customerReference": draft.idempotency_key,
            "links": links,
        }
        if draft.solution:
            ticket["solution"] = text_to_html(draft.solution)
        return ticket

    async def _request_type_id(self, *, fresh: bool = False) -> int:
        try:
            return await self._client.id_by_key("requesttype", REQUEST_TYPE_KEY, fresh=fresh)
        except MissingEntityError as error:
            raise MissingNameError(f"Pureservice has no request type with key {REQUEST_TYPE_KEY!r}") from error

    async def _id(self, lookup: Lookup, *, fresh: bool = False) -> int:
        """The tenant's id for ``lookup``; a MissingNameError that names the setting when it has none."""
        also = f"requestTypeId == {await self._request_type_id()}" if lookup.of_tickets else ""
        try:
            return await self._client.id_by_name(lookup.entity, lookup.name, also=also, fresh=fresh)
        except MissingNameError:
            raise
        except MissingEntityError as error:
            raise lookup.missing() from error

    async def _user_id(self, email: str) -> int | None:
        page = await self._client.page(
            "emailaddress", filter=f"email == {string_literal(email)}", include=("user",), limit=1
        )
        for address in page.rows:
            if address.get("email", "").casefold() == email.casefold() and address.get("userId"):
                return int(address["userId"])
        return None

    async def _fallback_requester_id(self, draft: TicketDraft) -> int:
        if not self._fallback_email:
            raise UnknownRequesterError(
                "the requester is not a Pureservice user, and RAKEL_PURESERVICE_FALLBACK_REQUESTER_EMAIL is empty"
            )
        user_id = await self._user_id(self._fallback_email)
        if user_id is None:
            raise MissingNameError(_fallback_missing(self._fallback_email))
        log.info("pureservice: requester not found; using the fallback requester")
        return user_id

    async def _category_id(self, category: str) -> int | None:
        """A missing category costs the ticket nothing: Kundeservice sets one; we only log it."""
        lookup = self._names.category_lookup(category)
        if lookup is None:
            log.warning("no Pureservice category is mapped for %r in RAKEL_PURESERVICE_CATEGORIES; "
                        "ticket created without one", category)
            return None
        try:
            return await self._id(lookup)
        except MissingNameError as error:
            log.warning("%s; ticket created without a category", error)
            return None

    async def _attach_missing(self, ticket_id: int, attachments: list[TicketAttachment]) -> None:
        """Upload the attachments this ticket does not have yet (a retried create must not double them)."""
        if not attachments:
            return
        existing = await self._client.page("attachment", filter=f"ticketId == {ticket_id}")
        present = {row.get("fileName") for row in existing.rows}
        for attachment in attachments:
            if attachment.name in present:
                continue
            await self._client.create(
                "attachment",
                {
                    "name": PurePath(attachment.name).stem,
                    "fileName": attachment.name,
                    "contentType": attachment.content_type,
                    "size": _human_size(len(attachment.data)),
                    "ticketId": ticket_id,
                    "bytes": base64.b64encode(attachment.data).decode("ascii"),
                    "isVisible": True,
                },
            )

    # --- reading --------------------------------------------------------------------------
    async def _status_table(self) -> dict[int, Row]:
        """All statuses by id (names and coreStatus), read once."""
        async with self._statuses_lock:
            if self._statuses is None:
                rows: dict[int, Row] = {}
                async for page in self._client.pages("status"):
                    rows.update((row["id"], row) for row in page.rows)
                self._statuses = rows
        return self._statuses

    def _summary(
        self, ticket: Row, statuses: dict[int, Row], requester_email: str, *, on_behalf: bool = False
    ) -> TicketSummary:
        status = statuses.get(ticket.get("statusId"), {})
        return TicketSummary(
            id=str(ticket["id"]),
            number=str(ticket.get("requestNumber", ticket["id"])),
            subject=ticket.get("subject", ""),
            status=status.get("userDisplayName") or status.get("name", ""),
            is_open=status.get("coreStatus", 0) < FINISHED_CORE_STATUS,
            updated=_timestamp(ticket.get("modified") or ticket.get("created")),
            url=ticket_url(self._client.base_url, ticket.get("requestNumber", ticket["id"])),
            requester_email=requester_email,
            on_behalf=on_behalf,
        )

    def _resolved(self, ticket: Row, page: Page) -> PureserviceResolvedTicket:
        users = page.linked_by_id("user")
        communications = [
            c for c in page.linked.get("communications", []) if c.get("ticketId") == ticket["id"]
        ]
        solution = html_to_text(ticket.get("solution"))
        if not solution:
            solutions = [c for c in communications if c.get("type") in SOLUTION_COMMUNICATION_TYPES]
            solution = (
                html_to_text(max(solutions, key=lambda c: c.get("created", ""))["text"]) if solutions else ""
            )
        people_ids = [
            ticket.get("userId"),
            ticket.get("assignedAgentId"),
            *(c.get("senderId") for c in communications),
        ]
        people = tuple(dict.fromkeys(name for uid in people_ids if (name := _full_name(users.get(uid)))))
        category = page.linked_by_id("category").get(ticket.get("category1Id"), {})
        return PureserviceResolvedTicket(
            id=str(ticket["id"]),
            number=str(ticket.get("requestNumber", ticket["id"])),
            subject=ticket.get("subject", ""),
            problem=html_to_text(ticket.get("description")),
            solution=solution,
            category=category.get("name", ""),
            resolved=_timestamp(ticket.get("modified") or ticket.get("created")),
            url=ticket_url(self._client.base_url, ticket.get("requestNumber", ticket["id"])),
            requester_email=_email_of(users.get(ticket.get("userId")), page),
            people=people,
        )


class UnknownRequesterError(MissingEntityError):
    """The requester is not a Pureservice user and no fallback requester is set."""

    reason = "unknown_requester"


def _fallback_missing(email: str) -> str:
    return f"RAKEL_PURESERVICE_FALLBACK_REQUESTER_EMAIL: {email} is not a Pureservice user"


def _worth_retrying_now(error: BaseException) -> bool:
    """Retry at once only when the server answered (429, 5xx): then a stored ticket is already findable."""
    return isinstance(error, TicketDeskError) and error.retryable and error.status is not None


def _belongs_to(ticket: Row, email: str, page: Page) -> bool:
    """Is ``email`` one of the addresses of the ticket's requester, as the included user rows say?"""
    user_id = ticket.get("userId")
    user = page.linked_by_id("user").get(user_id)
    if user_id is None or user is None:
        return False
    addresses = page.linked_by_id("emailaddress")
    owned = {row.get("email", "") for row in addresses.values() if row.get("userId") == user_id}
    if (primary := addresses.get(user.get("emailAddressId"))) is not None:
        owned.add(primary.get("email", ""))
    return email.casefold() in {address.casefold() for address in owned}


def _email_of(user: Row | None, page: Page) -> str:
    """A user's primary e-mail address, from the included ``emailaddresses``."""
    if not user:
        return ""
    address = page.linked_by_id("emailaddress").get(user.get("emailAddressId"), {})
    return str(address.get("email") or "")


def _full_name(user: Row | None) -> str:
    if not user:
        return ""
    return " ".join(part for part in (user.get("firstName"), user.get("lastName")) if part)


def _timestamp(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
