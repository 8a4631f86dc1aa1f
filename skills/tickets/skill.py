"""The ticket skill: from "lag en sak" (or the "Opprett sak" button) to a ticket number.

1. Prefill a draft from the conversation (embedded rules, an LLM summary when one is configured),
   fetch the screenshots the user sent, mask identity numbers, and show an editable card. When the
   user only said "lag en sak", ask what it is about first.
2. "Send" files it through the outbox (skills/tickets/outbox.py): the card becomes the number and a link,
   or "it will be sent" (the number follows as a message), or - when the desk refuses it - the draft
   again, kept and editable. Every later click on the card shows its current state and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from analytics.events import Outcome
from core.language import Language, detect_language
from core.messages import ActionResult, CardAction, Reply
from core.pii import mask_identity_numbers
from core.ports import FileFetcher, TicketDeskError, TicketDraft, TicketSubmission
from core.settings import Settings
from skills.intents import load_intents
from skills.registry import Skill, card_action
from skills.router.embedded import EmbeddedRouter
from skills.tickets import cards, texts
from skills.tickets.attachments import fetch_files, link_lines, ticket_attachments
from skills.tickets.cleaning import MAX_SUBJECT_CHARS, clean, has_words
from skills.tickets.outbox import TicketOutbox, reason_code, reason_of
from skills.tickets.prefill import (
    Problem,
    description_for,
    earlier_problem,
    embedded_prefill,
    problem_in,
    rakel_suggestion,
)
from skills.tickets.summary import TicketSummarizer
from skills.turn import Turn
from store.history import HistoryRepository
from store.tickets_outbox import CREATED
from store.tickets_outbox import FAILED as OUTBOX_FAILED
from store.tickets_repositories import TicketRepositories
from store.tickets_requests import CANCELLED, FAILED, OPEN, SENDING, SUBMITTED, AttachmentRef, TicketRequest

log = logging.getLogger(__name__)

START_VERB = "tickets.start"  # the knowledge and handoff skills' "Opprett sak" buttons
DESCRIBE = "describe"  # the dialog step: waiting for the user to say what the ticket is about
HISTORY_TURNS = 10
ATTACHMENTS_WITHIN_SECONDS = 3600.0  # files sent this recently (and after the last draft) go in
CARD_LLM_SECONDS = 3.0  # a card click must be answered within about 5 s
RECOVER_EVERY_INTERVALS = 5  # stalled sends are looked for every fifth outbox round
PRUNE_EVERY_SECONDS = 3600.0
KEEP_DRAFTS_SECONDS = 30 * 24 * 3600  # a card older than this answers "draft not found"
CANCEL_DRAFTS_WITHIN_SECONDS = 3600.0  # "avbryt" with no dialog held cancels a draft card this recent
_PHONE = re.compile(r"^\+?[\d\s().-]{5,24}$")


def _valid_phone(phone: str) -> bool:
    digits = re.sub(r"\D", "", phone)
    return bool(_PHONE.match(phone)) and 5 <= len(digits) <= 15 and not mask_identity_numbers(phone).counts


class TicketSkill(Skill):
    name = "tickets"
    intents = load_intents(__file__, "create_ticket")

    def __init__(
        self,
        settings: Settings,
        repos: TicketRepositories,
        history: HistoryRepository,
        outbox: TicketOutbox,
        files: FileFetcher,
        clock: Callable[[], datetime],
        router: EmbeddedRouter,
        summarizer: TicketSummarizer | None = None,
    ) -> None:
        self._settings = settings
        self._repos = repos
        self._history = history
        self._outbox = outbox
        self._files = files
        self._clock = clock
        self._router = router  # tells the problem apart from requests in the history
        self._summarizer = summarizer

    # --- background ----------------------------------------------------------------------------
    def background_jobs(self) -> dict[str, Callable[[], Awaitable[None]]]:
        return {"stalled-sends": self._recover_stalled_forever, "outbox": self._outbox.run}

    # --- messages ----------------------------------------------------------------------------
    async def on_message(self, turn: Turn, intent: str) -> None:
        problem = problem_in(turn.incoming.text)
        earlier, tried = ("", ()) if problem.text else await self._earlier(turn)
        if not (problem.text or earlier):
            await self._ask(turn, {})
            return
        request = await self._prepare(turn, problem, earlier, tried, language=turn.language)
        await self._show_draft(turn, request)

    async def on_dialog(self, turn: Turn) -> None:
        text = turn.incoming.text.strip()
        if not has_words(text):
            refs = await self._recent_files(turn)
            if refs:
                await turn.send(texts.GOT_FILES_ASK_TEXT(turn.language, count=len(refs)))
            else:
                await turn.send(texts.NEED_WORDS(turn.language))
            return
        problem = problem_in(text)
        if not problem.text:  # "lag en sak" again
            await turn.send(texts.ASK_WHAT(turn.language))
            return
        data = dict(turn.dialog.data) if turn.dialog else {}
        await turn.release()
        tried = (answer,) if (answer := rakel_suggestion(str(data.get("answer") or ""))) else ()
        request = await self._prepare(turn, problem, "", tried, language=turn.language)
        await self._show_draft(turn, request)

    async def cancel_open(self, turn: Turn) -> bool:
        """"nei vent, ikke send den" under a draft card: the draft is cancelled (its card then says so)."""
        since = self._now() - CANCEL_DRAFTS_WITHIN_SECONDS
        request = await self._repos.requests.latest_open(turn.conversation_id, turn.user.id, since)
        if request is None or not await self._repos.requests.cancel(request.id, self._now()):
            return False
        await turn.send(texts.CANCELLED_TEXT(turn.language))
        return True

    async def _ask(self, turn: Turn, data: dict[str, Any]) -> None:
        await turn.hold(DESCRIBE, data)
        refs = await self._recent_files(turn)
        language = turn.language
        await turn.send(texts.GOT_FILES_ASK_TEXT(language, count=len(refs)) if refs else texts.ASK_WHAT(language))

    async def _show_draft(self, turn: Turn, request: TicketRequest) -> None:
        language = Language(request.language)
        await turn.send(Reply(text=texts.DRAFT_INTRO(language), card=cards.draft_card(request, language,
                                                                                        self._notices(request))))

    # --- card actions --------------------------------------------------------------------------
    @card_action(cards.SEND_VERB)
    async def send(self, turn: Turn, action: CardAction) -> ActionResult:
        request = await self._own_request(turn, action)
        return await self._send(turn, request, action.data) if request else self._unknown_draft(turn)

    @card_action(cards.CANCEL_VERB)
    async def cancel(self, turn: Turn, action: CardAction) -> ActionResult:
        request = await self._own_request(turn, action)
        return await self._cancel(turn, request) if request else self._unknown_draft(turn)

    @card_action(cards.REFRESH_VERB)
    async def refresh(self, turn: Turn, action: CardAction) -> ActionResult:
        request = await self._own_request(turn, action)
        return ActionResult(card=await self._current_card(turn, request)) if request else self._unknown_draft(turn)

    async def _own_request(self, turn: Turn, action: CardAction) -> TicketRequest | None:
        """The draft a button belongs to, when it is this user's (never another person's)."""
        request = await self._repos.requests.get(str(action.data.get("request") or ""))
        return request if request is not None and request.user_id == turn.user.id else None

    @staticmethod
    def _unknown_draft(turn: Turn) -> ActionResult:
        return ActionResult(message=texts.UNKNOWN_DRAFT(turn.language))

    @card_action(START_VERB)
    async def start_from_card(self, turn: Turn, action: CardAction) -> ActionResult:
        """"Opprett sak" under an answer: the question (and Rakel's answer) come with the click."""
        question = str(action.data.get("question") or "").strip()
        answer = str(action.data.get("answer") or "")
        language = detect_language(question) if question else turn.language
        tried = (suggestion,) if (suggestion := rakel_suggestion(answer)) else ()
        problem = Problem(question if has_words(question) else "")
        earlier = ""
        if not problem.text:
            earlier, earlier_tried = await self._earlier(turn)
            tried = tried or earlier_tried
        if not (problem.text or earlier):
            await self._ask(turn, {"answer": answer[:2000]})
            return ActionResult()
        # The same button pressed twice (or Teams repeating the click) opens the same draft.
        seed = f"{turn.conversation_id}:{action.card_activity_id}:{question}" if action.card_activity_id else None
        request_id = uuid.uuid5(uuid.NAMESPACE_URL, seed).hex if seed else None
        request = await self._prepare(turn, problem, earlier, tried, language=language, request_id=request_id,
                                      llm_seconds=CARD_LLM_SECONDS)
        return ActionResult(card=await self._current_card(turn, request))

    async def _send(self, turn: Turn, request: TicketRequest, data: dict[str, Any]) -> ActionResult:
        if request.state not in (OPEN, FAILED):  # a second click, a Teams retry, a stale card
            return ActionResult(card=await self._current_card(turn, await self._settled(request)))
        language = Language(request.language)
        edited, error = self._edited(request, data, language)
        repo = self._repos.requests
        now = self._now()
        if error:
            await repo.save_edits(edited, now)
            failure = self._failure_text(request.error, language) if request.state == FAILED else ""
            return ActionResult(card=cards.draft_card(edited, language, self._notices(edited), error=error,
                                                      failure=failure))
        if not await repo.claim_for_send(edited, now):  # another click won the race
            latest = await repo.get(request.id)
            return ActionResult(card=await self._current_card(turn, await self._settled(latest or request)))
        try:
            return ActionResult(card=await self._submit(turn, edited))
        finally:
            await repo.let_go(request.id)  # after ``finish`` a no-op; after an unexpected error the worker takes it

    async def _submit(self, turn: Turn, request: TicketRequest) -> dict[str, Any]:
        repo = self._repos.requests
        language = Language(request.language)
        try:
            submission = await self._file(self._draft(request), request)
        except TicketDeskError as error:
            await repo.finish(request.id, FAILED, self._now(), error=f"{reason_code(error)}: {error}")
            failed = request.edited(state=FAILED)
            return cards.draft_card(failed, language, self._notices(failed),
                                    failure=self._failure_text(f"{reason_code(error)}: {error}", language))
        await repo.finish(request.id, SUBMITTED, self._now())
        turn.note(Outcome.TICKET_CREATED, category=request.category)
        if submission.ticket is not None:
            return cards.created_card(request.subject, submission.ticket, language, self._notices(request))
        return cards.queued_card(request, language, self._notices(request), [turn.user.channel_user_id])

    async def _file(self, draft: TicketDraft, request: TicketRequest) -> TicketSubmission:
        return await self._outbox.submit(draft, notify_user_id=request.user_id, language=request.language)

    async def _cancel(self, turn: Turn, request: TicketRequest) -> ActionResult:
        repo = self._repos.requests
        if request.state == SUBMITTED:
            await self._current_card(turn, request)  # reopens a draft the desk refused in the background
        if await repo.cancel(request.id, self._now()):
            return ActionResult(card=cards.cancelled_card(Language(request.language)))
        latest = await repo.get(request.id)
        return ActionResult(card=await self._current_card(turn, latest or request))

    async def _current_card(self, turn: Turn, request: TicketRequest) -> dict[str, Any]:
        """What this draft has become, as a card; changes nothing (except reopening a refused ticket)."""
        language = Language(request.language)
        notices = self._notices(request)
        user_ids = [turn.user.channel_user_id]
        if request.state == OPEN:
            return cards.draft_card(request, language, notices)
        if request.state == FAILED:
            return cards.draft_card(request, language, notices, failure=self._failure_text(request.error, language))
        if request.state == CANCELLED:
            return cards.cancelled_card(language)
        entry = await self._repos.outbox.get(request.idempotency_key)
        if request.state == SENDING and entry is None:
            return cards.sending_card(request, language, user_ids)
        if entry is not None and entry.state == CREATED and entry.ticket is not None:
            return cards.created_card(request.subject, entry.ticket, language, notices)
        if entry is not None and entry.state == OUTBOX_FAILED and request.state == SUBMITTED:
            await self._repos.requests.reopen(request.id, entry.last_error, self._now())
            reopened = request.edited(state=FAILED, error=entry.last_error)
            return cards.draft_card(reopened, language, notices, failure=self._failure_text(entry.last_error, language))
        return cards.queued_card(request, language, notices, user_ids)

    async def _settled(self, request: TicketRequest) -> TicketRequest:
        """A draft being sent by another click: wait (briefly) for that click's outcome. The other click
        may hold the draft's lease before its state says "sending", so the lease is what is waited on."""
        repo = self._repos.requests
        deadline = self._now() + self._settings.tickets_send_wait_seconds + 1.0
        while self._now() < deadline and await repo.being_sent(request.id):
            await asyncio.sleep(0.1)
        return await repo.get(request.id) or request

    # --- building the draft ------------------------------------------------------------------------
    async def _prepare(
        self,
        turn: Turn,
        problem: Problem,
        earlier: str,
        tried: tuple[str, ...],
        *,
        language: Language,
        request_id: str | None = None,
        llm_seconds: float | None = None,
    ) -> TicketRequest:
        repo = self._repos.requests
        if request_id and (existing := await repo.get(request_id)) is not None:
            return existing
        settings = self._settings
        prefill = embedded_prefill(problem, earlier, tried)
        refs = await self._recent_files(turn)
        summarizing = (
            self._summarizer.summarize(prefill.problem, tried, language, timeout=llm_seconds)
            if self._summarizer else asyncio.sleep(0, result=None)
        )
        files, summary = await asyncio.gather(
            fetch_files(refs, self._files, max_files=settings.tickets_max_attachments,
                        max_bytes=settings.tickets_max_attachment_bytes,
                        timeout=settings.tickets_attachment_timeout_seconds),
            summarizing,
        )
        links = link_lines(files)
        if summary is not None:
            subject, category, priority = summary.subject, summary.category, summary.priority
            description = description_for(prefill.problem, tried, summary.summary, links)
        else:
            subject, category, priority = prefill.subject, prefill.category, prefill.priority
            description = description_for(prefill.problem, tried, links=links)
        clean_subject, clean_description = clean(subject, MAX_SUBJECT_CHARS), clean(description)
        notices = ["fnr_removed"] if clean_subject.fnr_removed or clean_description.fnr_removed else []
        if clean_description.cut:
            notices.append("cut")
        request = TicketRequest(
            id=request_id or uuid.uuid4().hex,
            conversation_id=turn.conversation_id,
            user_id=turn.user.id,
            user_name=turn.user.name,
            user_email=turn.user.email,
            language=language.value,
            subject=clean_subject.text,
            description=clean_description.text,
            category=category,
            priority=priority,
            notices=tuple(notices),
            files=files,
        )
        if not await repo.add(request, self._now()):
            return await repo.get(request.id) or request
        return request

    def _edited(self, request: TicketRequest, data: dict[str, Any], language: Language) -> tuple[TicketRequest, str]:
        """The card's fields as the user left them, cleaned; and what is wrong with them ("" if nothing)."""
        subject = clean(str(data.get("subject", request.subject)), MAX_SUBJECT_CHARS)
        description = clean(str(data.get("description", request.description)))
        phone = str(data.get("phone", request.phone) or "").strip()
        notices = set(request.notices)
        if subject.fnr_removed or description.fnr_removed:
            notices.add("fnr_removed")
        if description.cut:
            notices.add("cut")
        edited = request.edited(
            subject=" ".join(subject.text.split()),
            description=description.text,
            category=cards.category_from_card(data.get("category", request.category)),
            phone=phone[:30],
            notices=tuple(code for code in texts.NOTICES if code in notices),
        )
        if not has_words(edited.subject):
            return edited, texts.SUBJECT_MISSING(language)
        if phone and not _valid_phone(phone):
            return edited.edited(phone=""), texts.PHONE_INVALID(language)
        return edited, ""

    def _draft(self, request: TicketRequest) -> TicketDraft:
        return TicketDraft(
            subject=request.subject,
            description=request.description or request.subject,
            category=request.category,
            priority=request.priority,
            requester_email=request.user_email,
            requester_name=request.user_name,
            idempotency_key=request.idempotency_key,
            phone=request.phone,
            attachments=ticket_attachments(request.files),
        )

    # --- helpers -----------------------------------------------------------------------------------
    def _now(self) -> float:
        return self._clock().timestamp()

    def _notices(self, request: TicketRequest) -> list[str]:
        settings = self._settings
        return cards.notices_of(request, Language(request.language), settings.tickets_max_attachments,
                                settings.tickets_max_attachment_bytes)

    def _failure_text(self, error: str, language: Language) -> str:
        reason = texts.REASONS[reason_of(error)](language)
        return texts.FAILED_TEXT(language, reason=reason, phone=self._settings.kundeservice_phone)

    async def _earlier(self, turn: Turn) -> tuple[str, tuple[str, ...]]:
        history = await self._history.recent(turn.conversation_id, limit=HISTORY_TURNS)
        return earlier_problem(history, self._router)

    async def _recent_files(self, turn: Turn) -> list[AttachmentRef]:
        tickets = self._repos
        since = max(self._now() - ATTACHMENTS_WITHIN_SECONDS,
                    await tickets.requests.last_created_at(turn.conversation_id) or 0.0)
        return await tickets.attachments.since(turn.conversation_id, since)

    # --- sends that stopped with their process ------------------------------------------------------
    async def _recover_stalled_forever(self) -> None:
        last_prune = 0.0
        while True:
            try:
                await self.recover_stalled()
                if self._now() - last_prune > PRUNE_EVERY_SECONDS:
                    last_prune = self._now()
                    await self._prune()
            except Exception:  # noqa: BLE001 - logged; tried again next round
                log.exception("recovering stalled ticket sends failed")
            await asyncio.sleep(self._settings.tickets_worker_interval_seconds * RECOVER_EVERY_INTERVALS)

    async def _prune(self) -> None:
        tickets = self._repos
        await tickets.requests.prune(self._now() - KEEP_DRAFTS_SECONDS)
        await tickets.attachments.prune(self._now() - ATTACHMENTS_WITHIN_SECONDS)

    async def recover_stalled(self) -> int:
        """A "Send" whose process stopped before the outbox had the draft: queue it now (the user clicked
        Send, so the ticket is owed), and make sure the user hears the outcome."""
        repo = self._repos.requests
        outbox = self._outbox
        recovered = 0
        for request in await repo.stalled():
            now = self._now()
            if not await repo.claim_stalled(request.id):
                continue
            try:
                if await outbox.entry(request.idempotency_key) is None:
                    await outbox.enqueue(self._draft(request), notify_user_id=request.user_id,
                                         language=request.language)
                else:
                    await self._repos.outbox.want_notification(request.idempotency_key, now)
                await repo.finish(request.id, SUBMITTED, self._now())
            finally:
                await repo.let_go(request.id)
            recovered += 1
        if recovered:
            log.info("queued ticket sends that had stopped halfway", extra={"count": recovered})
        return recovered
