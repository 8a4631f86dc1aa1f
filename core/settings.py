"""One typed settings object for the whole service.

Every value comes from an environment variable prefixed ``RAKEL_`` (or a ``.env`` file). A missing
or malformed value fails at start-up with a message that names the variable (see ``load_settings``).
The defaults are the embedded ones: the bot runs on one laptop with no cloud account.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from pathlib import Path

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
    pureservice_fallback_requester_email: str = ""
    pureservice_zone: str = "Kundeservice"

    # --- Kundeservice --------------------------------------------------------------------
    kundeservice_conversation_id: str = ""  # the Teams channel that receives tickets/handoffs
    kundeservice_service_url: str = "https://smba.trafficmanager.net/emea/"
    kundeservice_phone: str = "71 11 10 00"
    opening_time: time = time(8, 0)
    closing_time: time = time(15, 30)
    opening_weekdays: list[int] = [0, 1, 2, 3, 4]  # Monday = 0
    timezone: str = "Europe/Oslo"

    @model_validator(mode="after")
    def _production_needs_an_app_id(self) -> "Settings":
        if self.env is Environment.PRODUCTION and not self.app_id:
            raise ValueError(
                "RAKEL_APP_ID must be set when RAKEL_ENV=production "
                "(without it Bot Framework authentication is off)"
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
