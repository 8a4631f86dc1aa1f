"""What can go wrong with a Pureservice request, as TicketDeskErrors that say what to do about it.

``retryable`` is True only when the same request may succeed later (429, 5xx, timeouts, network
errors); the ticket skill then keeps the ticket in its outbox. The others need a person: a bad key,
a wrong URL prefix, a request the server refuses.
"""

from __future__ import annotations

from core.ports import TicketDeskError


class PureserviceError(TicketDeskError):
    def __init__(
        self, message: str, *, retryable: bool, status: int | None = None, server_message: str = ""
    ) -> None:
        super().__init__(message, retryable=retryable, status=status)
        self.server_message = server_message


class AuthenticationError(PureserviceError):
    """401/403: the API key is wrong, expired or lacks the rights (or is limited to another zone)."""


class NotFoundError(PureserviceError):
    """404: the entity does not exist, or the API prefix is wrong."""


class ValidationError(PureserviceError):
    """400/422: the server refused the request's content; ``server_message`` says why."""


class RateLimitedError(PureserviceError):
    """429: too many requests; ``retry_after`` is the server's wait in seconds, if it gave one."""

    def __init__(self, message: str, *, retry_after: float | None, server_message: str = "") -> None:
        super().__init__(message, retryable=True, status=429, server_message=server_message)
        self.retry_after = retry_after


class UnavailableError(PureserviceError):
    """5xx, a timeout or a network error: Pureservice is down or slow."""


class MissingEntityError(PureserviceError):
    """A status, priority, zone, ... named in our settings does not exist in this tenant."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


def error_for_status(
    status: int,
    *,
    method: str,
    path: str,
    prefix: str,
    server_message: str,
    retry_after: float | None,
) -> PureserviceError:
    """The error for an HTTP error status, with a message that points at the likely cause."""
    said = f": {server_message}" if server_message else ""
    request = f"{method} {path}"
    if status in (401, 403):
        return AuthenticationError(
            f"Pureservice refused the API key (HTTP {status}) on {request}{said}; "
            "check RAKEL_PURESERVICE_API_KEY and the key's zone",
            retryable=False,
            status=status,
            server_message=server_message,
        )
    if status == 404:
        return NotFoundError(
            f"Pureservice answered 404 on {request}{said}; the entity is missing or the API prefix "
            f"{prefix!r} is wrong (RAKEL_PURESERVICE_API_PREFIX)",
            retryable=False,
            status=status,
            server_message=server_message,
        )
    if status in (400, 422):
        return ValidationError(
            f"Pureservice refused {request} (HTTP {status}){said}",
            retryable=False,
            status=status,
            server_message=server_message,
        )
    if status == 429:
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        return RateLimitedError(
            f"Pureservice rate limit on {request}{wait}{said}",
            retry_after=retry_after,
            server_message=server_message,
        )
    if status >= 500:
        return UnavailableError(
            f"Pureservice failed {request} (HTTP {status}){said}",
            retryable=True,
            status=status,
            server_message=server_message,
        )
    return PureserviceError(
        f"Pureservice answered HTTP {status} on {request}{said}",
        retryable=False,
        status=status,
        server_message=server_message,
    )
