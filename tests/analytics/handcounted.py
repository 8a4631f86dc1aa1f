"""A small event set whose every figure is counted by hand (see the comments and the tests that use it).

November 2026, Europe/Oslo. Users: m1–m6 Molde, r1–r5 Rauma, a1–a2 Aukra, t1–t3 Vestnes.
Conversations in November (19): m1, m2, m3, m4×2, m5×2, m6, r1, r2×2, r3, r4, r5, a1, a2, t1, t2, t3.
Knowledge conversations (11): m1 m2 m3 m4a m5a m6 r1 r3 r4 r5 a1.
Self-solved (8): m1 m4a m5a r1 r3 r4 r5 a1 — m2 got a ticket, m3 no answer, m6 thumbs down.
Escalated (7): m2 m5b m6 r2a t1 t2 t3. Abandoned (2): m3 (abstained), r2b (error).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.events import Event, local_month

OSLO = ZoneInfo("Europe/Oslo")
BASE = datetime(2026, 11, 10, 10, 0, tzinfo=OSLO)
A = "https://rorikt.sharepoint.com/sites/kompetanseportalen/passord"
B = "https://rorikt.sharepoint.com/sites/kompetanseportalen/skriver"
MUNICIPALITY = {"m": "molde", "r": "rauma", "a": "aukra", "t": "vestnes"}


def event(user: str, minutes: float, outcome: str, *, kind: str = "message", skill: str = "knowledge",
          seconds: float | None = None, category: str = "", sources: tuple[str, ...] = (),
          base: datetime = BASE) -> Event:
    at = (base + timedelta(minutes=minutes)).timestamp()
    return Event(at=at, month=local_month(at, OSLO), user_key=f"key-{user}",
                 municipality=MUNICIPALITY[user[0]], language="nb", kind=kind,
                 intent="knowledge" if skill == "knowledge" and kind == "message" else "",
                 skill=skill, outcome=outcome, category=category, seconds=seconds, sources=sources)


def hand_counted_events() -> list[Event]:
    return [
        event("m1", 0, "answered", sources=(A,)),
        event("m1", 5, "feedback_up", kind="action"),
        event("m2", 0, "answered", sources=(A,)),
        event("m2", 10, "ticket_created", kind="action", skill="tickets", category="printing"),
        event("m3", 0, "abstained"),
        event("m4", 0, "answered", sources=(A, B)),
        event("m4", 60, "handled", skill="help"),  # 60 minutes later: a second conversation
        event("m5", 0, "answered", sources=(B,)),
        event("m5", 25 * 60, "ticket_created", kind="action", skill="tickets", category="printing"),  # after 24 h
        event("m6", 0, "answered", sources=(A,)),
        event("m6", 10, "feedback_down", kind="action"),
        event("m6", 20, "handoff_opened", skill="handoff", category="other"),
        event("m6", 22, "handoff_taken", kind="system", skill="handoff", seconds=120),
        event("m6", 32, "handoff_ended", kind="system", skill="handoff", seconds=600),
        event("m6", 35, "feedback_up", kind="action", skill="handoff"),
        event("r1", 0, "abstained"),
        event("r1", 3, "answered", sources=(A,)),
        event("r2", 0, "ticket_created", kind="action", skill="tickets", category="printing"),
        event("r2", 50, "error"),
        event("r3", 0, "answered", sources=(B,)),
        event("r4", 0, "answered", sources=(B,)),
        event("r5", 0, "answered", sources=(B,)),
        event("a1", 0, "answered", sources=(A,)),
        event("a2", 0, "handoff_closed", skill="handoff"),
        event("t1", 0, "ticket_created", kind="action", skill="tickets", category="printing"),
        event("t2", 0, "ticket_created", kind="action", skill="tickets", category="printing"),
        event("t3", 0, "ticket_created", kind="action", skill="tickets", category="access"),
        # outside November: one in October (the trend), one in December (counted nowhere)
        event("m1", 0, "answered", sources=(A,), base=datetime(2026, 10, 5, 9, 0, tzinfo=OSLO)),
        event("m1", 0, "answered", sources=(A,), base=datetime(2026, 12, 2, 9, 0, tzinfo=OSLO)),
    ]
