"""One typed settings object for the whole service.

Every value comes from an environment variable prefixed ``RAKEL_`` (or a ``.env`` file). A missing
or malformed value fails at start-up with a message that names the variable (see ``load_settings``).
The defaults are the embedded ones: the bot runs on one laptop with no cloud account.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_MUNICIPALITY_DOMAINS = {
    "molde.kommune.no": "molde",
    "aukra.kommune.no": "aukra",
    "hustadvika.kommune.no": "hustadvika",
    "rauma.kommune.no": "rauma",
    "vestnes.kommune.no": "vestnes",
    "ror-ikt.no": "ror-ikt",
}

DEFAULT_LINK_DOMAINS = [
    "rorikt.sharepoint.com", "molde.sharepoint.com", "aukra.sharepoint.com", "hustadvika.sharepoint.com",
    "rauma.sharepoint.com", "vestnes.sharepoint.com", *DEFAULT_MUNICIPALITY_DOMAINS,
    "rorikt.pureservice.com", "rorikt.atlassian.net",
    "microsoft.com", "office.com", "microsoftonline.com", "cloud.microsoft", "aka.ms", "onedrive.com", "live.com",
]


def municipality_for(email: str, domains: dict[str, str]) -> str | None:
    """The municipality key an e-mail address belongs to (``RAKEL_MUNICIPALITY_DOMAINS``), or None."""
    domain = email.rpartition("@")[2].lower()
    while domain:
        if domain in domains:
            return domains[domain]
        domain = domain.partition(".")[2]  # sub.molde.kommune.no -> molde.kommune.no
    return None


DEVELOPMENT_ANALYTICS_KEY = "rakel-development-analytics-key"

# Rakel's ticket priorities and categories (skills use these keys) and the names they have in ROR-IKT's
# Pureservice; RAKEL_PURESERVICE_PRIORITIES / RAKEL_PURESERVICE_CATEGORIES give another tenant's names.
DEFAULT_TICKET_PRIORITIES = {"low": "Lav", "normal": "Normal", "high": "Høy", "critical": "Kritisk"}
DEFAULT_TICKET_CATEGORIES = {
    "access": "Tilgang og pålogging",
    "password": "Passord og låst konto",
    "email": "E-post, Teams og Microsoft 365",
    "pc": "PC og utstyr",
    "software": "Programvare",
    "printing": "Utskrift",
    "remote_access": "Fjerntilgang",
    "phone": "Telefon og mobil",
    "advice": "Rådgivning",
    "security": "Sikkerhet",
}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class SearchBackend(StrEnum):
    LOCAL = "local"
    AZURE = "azure"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the RAKEL_ variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RAKEL_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- service -------------------------------------------------------------------------
    env: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(3978, ge=1, le=65535)
    log_level: str = "INFO"
    log_format: str = Field("console", pattern="^(console|json)$")
    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""  # empty: SQLite file in data_dir; or postgresql://user:pw@host/db
    max_body_bytes: int = 1024 * 1024
    # SIGTERM: /readyz says 503 at once, the port stays open this long (so a load balancer notices), then
    # no new requests are taken and turns in flight get at most shutdown_grace_seconds to finish.
    shutdown_delay_seconds: float = Field(0.0, ge=0, le=60)
    shutdown_grace_seconds: float = Field(20.0, gt=0, le=300)

    # --- Azure: managed identity and telemetry ----------------------------------------------
    # Client id of a user-assigned managed identity. Set: Azure OpenAI, Azure AI Search and PostgreSQL
    # configured without a key or password are reached with Entra ID tokens of this identity.
    azure_client_id: str = ""
    applicationinsights_connection_string: SecretStr = SecretStr("")  # set: traces and metrics go there
    otlp_endpoint: str = ""  # set (e.g. http://collector:4318): traces and metrics over OTLP/HTTP
    otel_service_name: str = "rakel"

    # --- Bot Framework / Teams -----------------------------------------------------------
    app_id: str = ""
    app_password: SecretStr = SecretStr("")
    app_tenant_id: str = ""  # for single-tenant bot registrations
    allowed_tenant_ids: list[str] = []  # channelData.tenant.id values served; empty: any
    openid_metadata_url: str = (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    token_issuer: str = "https://api.botframework.com"
    bot_name: str = "Rakel"

    # --- who is talking ------------------------------------------------------------------
    municipality_domains: dict[str, str] = DEFAULT_MUNICIPALITY_DOMAINS
    staff_municipality: str = "ror-ikt"  # the map value that marks ROR-IKT's own staff
    user_cache_seconds: int = 3600

    # --- LLM (Azure OpenAI or any OpenAI-compatible endpoint) ----------------------------
    llm_base_url: str = ""  # empty: no LLM; extractive answers and the embedded router
    llm_api_key: SecretStr = SecretStr("")
    llm_api_version: str = ""  # set for Azure OpenAI (e.g. 2024-10-21)
    llm_model: str = "gpt-4o-mini"
    llm_embedding_model: str = ""  # empty: no vectors
    llm_timeout_seconds: float = 20.0
    router_timeout_seconds: float = 3.0

    # --- knowledge -----------------------------------------------------------------------
    search_backend: SearchBackend = SearchBackend.LOCAL
    corpus_dir: Path = PROJECT_ROOT / "demo" / "corpus"
    tickets_export_path: Path = PROJECT_ROOT / "demo" / "pureservice" / "resolved_tickets.json"
    index_path: Path | None = None  # default: data_dir / "index.db"
    azure_search_endpoint: str = ""
    azure_search_key: SecretStr = SecretStr("")
    azure_search_index: str = "rakel-knowledge"
    # Domains (and their subdomains) an answer may link to without a warning: the tenant's and the
    # municipalities' SharePoint and sites, ROR-IKT, Pureservice, Confluence and Microsoft 365.
    link_allowed_domains: list[str] = DEFAULT_LINK_DOMAINS
    # > 0: the service itself runs `rakel ingest` this often (one instance at a time, under a lease); meant
    # for the shared Azure AI Search index. 0: schedule `rakel ingest` outside (cron, a Container Apps job).
    ingest_interval_minutes: float = Field(0.0, ge=0)

    # --- Microsoft Graph (app token through msal) ----------------------------------------
    graph_authority_host: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_tenant_id: str = ""
    graph_client_id: str = ""
    graph_client_secret: SecretStr = SecretStr("")
    graph_ca_file: Path | None = None  # extra CA bundle (tests, proxies); default: system
    sharepoint_sites: list[dict[str, str]] = []  # [{"site": "host:/sites/x", "source": .., "audience": ..}]

    # --- Pureservice ---------------------------------------------------------------------
    pureservice_url: str = ""  # empty: the local ticket desk
    pureservice_api_key: SecretStr = SecretStr("")
    pureservice_api_prefix: str = "/agent/api"
    pureservice_requests_per_minute: int = 100
    pureservice_timeout_seconds: float = 10.0
    pureservice_fallback_requester_email: str = ""  # files for users Pureservice does not know
    # The tenant's names (ids are looked up by name at start-up; a missing one stops the start, naming it).
    pureservice_zone: str = "Kundeservice"  # the zone (department) that receives Rakel's tickets
    pureservice_ticket_type: str = "Henvendelse"  # the ticket type of Rakel's tickets
    pureservice_ticket_types: dict[str, str] = {}  # more ticket types a skill may ask for, by key ("order")
    pureservice_new_status: str = "Ny"
    pureservice_resolved_status: str = "Løst"  # tickets filed as already solved (a handoff saved as solved)
    pureservice_source: str = "Chat"
    pureservice_priorities: dict[str, str] = dict(DEFAULT_TICKET_PRIORITIES)  # low/normal/high/critical -> name
    pureservice_categories: dict[str, str] = dict(DEFAULT_TICKET_CATEGORIES)  # category key -> name

    @model_validator(mode="after")
    def _every_priority_has_a_name(self) -> Settings:
        if missing := [key for key in DEFAULT_TICKET_PRIORITIES if key not in self.pureservice_priorities]:
            raise ValueError(f"RAKEL_PURESERVICE_PRIORITIES needs a name for {', '.join(missing)}")
        return self

    # --- Kundeservice --------------------------------------------------------------------
    kundeservice_conversation_id: str = ""  # the Teams channel that receives tickets/handoffs
    kundeservice_service_url: str = "https://smba.trafficmanager.net/emea/"
    kundeservice_phone: str = "71 11 10 00"
    opening_time: time = time(8, 0)
    closing_time: time = time(15, 30)
    opening_weekdays: list[int] = [0, 1, 2, 3, 4]  # Monday = 0
    timezone: str = "Europe/Oslo"

    # --- Tickets and "my tickets" (issue 5) --------------------------------------------------
    # A "Send" click waits this long for the desk, then answers "queued" (Teams repeats an unanswered
    # card action after about 5 s); the attempt itself goes on in the background.
    tickets_send_wait_seconds: float = Field(4.0, gt=0, le=10)
    # One attempt to create a ticket, at most: a create is waited for this long (holding its lease), not cut off
    # at the request timeout, since Pureservice may still store it; the next attempt looks before creating.
    tickets_attempt_timeout_seconds: float = Field(180.0, gt=0)
    tickets_recheck_seconds: float = Field(3.0, ge=0)  # a retry looks for the ticket, waits this, looks again
    tickets_refused_retry_initial_seconds: float = Field(900.0, gt=0)  # a refused ticket is tried again after
    tickets_refused_retry_max_seconds: float = Field(6 * 3600.0, gt=0)  # this, doubling up to this
    tickets_retry_initial_seconds: float = Field(15.0, gt=0)  # the outbox waits this long after a failure,
    tickets_retry_max_seconds: float = Field(900.0, gt=0)  # doubling each time, up to this; never gives up
    tickets_worker_interval_seconds: float = Field(2.0, gt=0)  # the outbox worker looks for due tickets this often
    tickets_worker_concurrency: int = Field(4, ge=1, le=50)  # tickets sent at once by one worker
    tickets_max_attachments: int = Field(5, ge=0, le=20)  # files taken into one ticket; more become links
    tickets_max_attachment_bytes: int = Field(5 * 1024 * 1024, ge=1024)  # a bigger file becomes a link
    tickets_attachment_timeout_seconds: float = Field(4.0, gt=0)  # downloading one file
    tickets_llm_timeout_seconds: float = Field(8.0, gt=0)  # the LLM summary; the embedded prefill after this

    # --- Handoff to Kundeservice (issue 6) -----------------------------------------------------
    handoff_claim_timeout_minutes: float = Field(10.0, gt=0)  # nobody took it: tell the user, offer a ticket
    handoff_wrap_up_minutes: float = Field(15.0, gt=0)  # the user ended: the agent's time to pick resolved/open
    handoff_holiday_country: str = "NO"  # public holidays (the `holidays` library), closed all day
    handoff_holiday_subdivision: str = ""  # a county code for local holidays; empty: national ones only
    handoff_closed_days: list[date] = []  # extra closed days, e.g. ["2026-12-24", "2026-12-31"]
    handoff_check_interval_seconds: float = Field(15.0, gt=0)  # timeouts and stalled relays, checked this often
    handoff_recent_messages: int = Field(6, ge=0, le=20)  # the last messages shown to Kundeservice on the card
    # A picture is re-posted inline (a base64 image attachment, which Teams does not count in its 100 KB
    # message limit); a larger one is shrunk to fit first. Other files go into the transcript ticket.
    handoff_inline_image_max_bytes: int = Field(1024 * 1024, ge=16 * 1024, le=4 * 1024 * 1024)
    handoff_wrap_up_file_seconds: float = Field(60.0, gt=0)  # the user ended: filed as open after this, updated later

    @model_validator(mode="after")
    def _opening_hours_are_usable(self) -> Settings:
        if self.closing_time <= self.opening_time:
            raise ValueError("RAKEL_CLOSING_TIME must be later than RAKEL_OPENING_TIME")
        if not self.opening_weekdays or not set(self.opening_weekdays) <= set(range(7)):
            raise ValueError("RAKEL_OPENING_WEEKDAYS must list weekdays 0 (Monday) to 6 (Sunday)")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"RAKEL_TIMEZONE: unknown time zone {self.timezone!r}") from error
        try:
            holidays.country_holidays(self.handoff_holiday_country, subdiv=self.handoff_holiday_subdivision or None)
        except NotImplementedError as error:
            raise ValueError(
                "RAKEL_HANDOFF_HOLIDAY_COUNTRY / RAKEL_HANDOFF_HOLIDAY_SUBDIVISION: no public holidays known for "
                f"{self.handoff_holiday_country!r} {self.handoff_holiday_subdivision!r}"
            ) from error
        return self

    # --- PC replacement campaign (issue 7) -------------------------------------------------
    pc_max_age_years: int = Field(6, ge=1, le=20)  # PCs are replaced after this many years ...
    pc_due_rule: str = Field("older_than", pattern="^(older_than|at_age)$")  # ... when older than that on the
    # campaign date (ROR-IKT's rule: the day it turns six is not yet due), or "at_age": from that day
    pc_inventory_source: str = Field("csv", pattern="^(csv|graph)$")  # graph: Intune + Entra ID
    pc_inventory_csv: Path = PROJECT_ROOT / "demo" / "inventory.csv"  # the asset register export
    pc_graph_date_source: str = Field("enrolled", pattern="^(enrolled|register)$")  # age from Intune
    # enrolment, or from the purchase dates in pc_inventory_csv (matched by serial number)
    pc_operating_systems: list[str] = ["Windows"]  # Intune devices counted as PCs
    pc_campaign_rate_per_second: float = Field(20.0, gt=0, le=30)  # Teams: ~30 requests/s per app
    pc_create_rate_per_second: float = Field(2.0, gt=0, le=30)  # of that, new 1:1 chats (Teams limits
    # creating conversations further: 60 per 30 s per bot)
    pc_throttle_patience_seconds: float = Field(45.0, gt=0)  # one message waits out 429s this long, then
    # it is left to the service's follow-up rounds (the whole run pauses for every Retry-After meanwhile)
    pc_campaign_concurrency: int = Field(8, ge=1, le=64)  # messages in flight at once
    pc_send_attempts: int = Field(6, ge=1, le=20)  # per message, on 429/412/5xx
    pc_reminder_days: int = Field(7, ge=1)  # employees who have not answered are reminded after this
    pc_max_reminders: int = Field(2, ge=0)
    pc_leader_reminder_days: int = Field(3, ge=1)  # a leader is reminded once, then the fallback asked
    pc_fallback_approvers: dict[str, str] = {}  # municipality -> UPN or AAD id; key "default" for all
    pc_teams_app_catalog_id: str = ""  # Rakel's id in the org app catalog: set = install it via Graph
    pc_ticket_category: str = "pc"  # approved swaps: a key of RAKEL_PURESERVICE_CATEGORIES ...
    pc_ticket_type: str = ""  # ... and of RAKEL_PURESERVICE_TICKET_TYPES ("" = RAKEL_PURESERVICE_TICKET_TYPE)
    pc_register_ticket_category: str = "pc"  # "Dette er ikke min PC": the register correction's category ...
    pc_register_ticket_type: str = ""  # ... and ticket type key
    pc_background_interval_seconds: float = Field(900.0, gt=0)  # reminders and follow-ups, this often
    pc_report_dir: Path | None = None  # default: data_dir / "reports"

    @model_validator(mode="after")
    def _pc_tickets_name_known_keys(self) -> Settings:
        """The PC tickets' category and type keys must be ones the Pureservice names settings define."""
        for setting in ("pc_ticket_category", "pc_register_ticket_category"):
            if getattr(self, setting) not in self.pureservice_categories:
                raise ValueError(f"RAKEL_{setting.upper()}: {getattr(self, setting)!r} is not a key of "
                                 "RAKEL_PURESERVICE_CATEGORIES")
        for setting in ("pc_ticket_type", "pc_register_ticket_type"):
            if getattr(self, setting) and getattr(self, setting) not in self.pureservice_ticket_types:
                raise ValueError(f"RAKEL_{setting.upper()}: {getattr(self, setting)!r} is not a key of "
                                 "RAKEL_PURESERVICE_TICKET_TYPES")
        return self

    # --- Analytics and the monthly report (issue 13) -------------------------------------------
    analytics_key: SecretStr = SecretStr("")  # the secret of the users' pseudonymous keys; required in production
    analytics_retention_days: int = Field(400, ge=1)  # events older than this are purged (13 months fit)
    analytics_text_retention_days: int = Field(90, ge=1)  # masked content-gap questions and comments
    analytics_self_solved_hours: float = Field(24.0, gt=0)  # an answer with no ticket or handoff after it this long
    analytics_purge_interval_seconds: float = Field(3600.0, gt=0)
    report_staff: list[str] = []  # UPNs or AAD object ids of ROR-IKT staff who may write "rapport" in Teams
    report_dir: Path | None = None  # default: data_dir / "reports"
    public_url: str = ""  # how Teams users reach this service (report links); default http://host:port
    report_link_hours: float = Field(72.0, gt=0)  # a report link in Teams works this long

    @model_validator(mode="after")
    def _production_needs_an_app_id(self) -> Settings:
        if self.env is Environment.PRODUCTION and not self.app_id:
            raise ValueError(
                "RAKEL_APP_ID must be set when RAKEL_ENV=production "
                "(without it Bot Framework authentication is off)"
            )
        if self.env is Environment.PRODUCTION and not self.analytics_key.get_secret_value():
            raise ValueError(
                "RAKEL_ANALYTICS_KEY must be set when RAKEL_ENV=production "
                "(the secret that keeps analytics user keys pseudonymous)"
            )
        return self

    @property
    def database_target(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'rakel.db'}"

    @property
    def local_index_path(self) -> Path:
        return self.index_path or self.data_dir / "index.db"

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)

    @property
    def pc_reports_path(self) -> Path:
        return self.pc_report_dir or self.data_dir / "reports"

    @property
    def reports_path(self) -> Path:
        return self.report_dir or self.data_dir / "reports"

    @property
    def analytics_secret(self) -> str:
        """The pseudonym key; development and test fall back to a fixed one (production refuses that)."""
        return self.analytics_key.get_secret_value() or DEVELOPMENT_ANALYTICS_KEY

    @property
    def public_base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def teams_tenant_id(self) -> str:
        """The tenant proactive 1:1 chats are created in."""
        return self.app_tenant_id or (self.allowed_tenant_ids[0] if self.allowed_tenant_ids else "")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; raise SettingsError naming each bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "settings"
            name = f"RAKEL_{field.upper()}" if item["loc"] else "settings"
            problems.append(f"{name}: {item['msg']}")
        raise SettingsError("; ".join(problems)) from error
