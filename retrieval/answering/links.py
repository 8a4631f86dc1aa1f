"""Links outside the allow-list (``RAKEL_LINK_ALLOWED_DOMAINS``) are marked wherever an answer shows them.

An answer quotes pages and, with an LLM, the model's words about them. Either may carry a link to a
site outside the tenant's SharePoint, the municipalities' sites, ROR-IKT, Pureservice and Microsoft
365: a page may link to an outside service, and a planted or mistaken one may point at a phishing
site. Such a link is kept (it may be genuine), but followed by a warning. Links are found as Markdown
links, as URLs (``https://…``) and as bare host names with a known top-level domain (``www.example.com``,
``aka.ms/sspr``); an e-mail address is not a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from core.language import Language
from retrieval.answering.texts import OUTSIDE_LINK

_TLDS = "no|com|net|org|io|ms|microsoft|info|biz|xyz|eu|se|dk|de|uk|app|dev|site|online|link|co|me|ru|cn|top|live"
_LINK = re.compile(
    rf"\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)"
    rf"|(?P<url>https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?»*])"
    rf"|(?<![\w@./-])(?P<host>(?:[a-z0-9-]+\.)+(?:{_TLDS}))(?P<path>/[^\s<>()\[\]]*[^\s<>()\[\].,;:!?»*])?(?![\w@-])",
    re.IGNORECASE,
)


def host_of(link: str) -> str:
    """The host name of a URL or of a bare "host/path"."""
    with_scheme = link if "://" in link else f"https://{link}"
    return (urlsplit(with_scheme).hostname or "").lower().rstrip(".")


def is_allowed(host: str, allowed: Iterable[str]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in (d.lower().strip(".") for d in allowed))


def outside_hosts(text: str, allowed: Iterable[str]) -> list[str]:
    """The host names of the links in a text that are not on the allow-list, in order."""
    domains = tuple(allowed)
    links = (match.group("target") or match.group("url") or match.group("host") for match in _LINK.finditer(text))
    hosts = (host_of(link) for link in links)
    return [host for host in hosts if host and not is_allowed(host, domains)]


def mark_outside_links(markdown: str, allowed: Iterable[str], language: Language) -> str:
    """The text with a warning after every link whose host is not on the allow-list."""
    domains = tuple(allowed)
    warning = OUTSIDE_LINK(language)

    def mark(match: re.Match[str]) -> str:
        link = match.group("target") or match.group("url") or match.group("host")
        if link.startswith(("mailto:", "#")) or is_allowed(host_of(link), domains):
            return match.group(0)
        return f"{match.group(0)} {warning}"

    return _LINK.sub(mark, markdown)
