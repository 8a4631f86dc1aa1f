"""infra/azure: the modules get exactly the parameters they declare, every parameter is used, the
parameters file matches main.bicep, every secret comes from Key Vault, and the container app gets every
RAKEL_* setting a keyless production instance on these Azure resources needs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.settings import Settings
from tests.infra import bicep

AZURE = Path(__file__).resolve().parents[2] / "infra" / "azure"
MAIN = bicep.strip_comments((AZURE / "main.bicep").read_text())
RESOURCES = {  # module file -> the Azure resource type it must declare
    "identity": "Microsoft.ManagedIdentity/userAssignedIdentities",
    "monitoring": "Microsoft.Insights/components",
    "keyvault": "Microsoft.KeyVault/vaults",
    "postgres": "Microsoft.DBforPostgreSQL/flexibleServers",
    "search": "Microsoft.Search/searchServices",
    "openai": "Microsoft.CognitiveServices/accounts/deployments",
    "containerapps": "Microsoft.App/containerApps",
    "bot": "Microsoft.BotService/botServices/channels",
}
# What a keyless production instance on these resources cannot do without.
NEEDED = {
    "RAKEL_ENV", "RAKEL_HOST", "RAKEL_PORT", "RAKEL_LOG_FORMAT", "RAKEL_DATABASE_URL", "RAKEL_AZURE_CLIENT_ID",
    "RAKEL_APP_ID", "RAKEL_APP_PASSWORD", "RAKEL_APP_TENANT_ID", "RAKEL_ALLOWED_TENANT_IDS",
    "RAKEL_LLM_BASE_URL", "RAKEL_LLM_API_VERSION", "RAKEL_LLM_MODEL", "RAKEL_LLM_EMBEDDING_MODEL",
    "RAKEL_SEARCH_BACKEND", "RAKEL_AZURE_SEARCH_ENDPOINT", "RAKEL_AZURE_SEARCH_INDEX",
    "RAKEL_APPLICATIONINSIGHTS_CONNECTION_STRING", "RAKEL_SHUTDOWN_DELAY_SECONDS", "RAKEL_SHUTDOWN_GRACE_SECONDS",
    "RAKEL_ANALYTICS_KEY",
}


def _module_text(module: bicep.Module) -> str:
    return bicep.strip_comments(module.path.read_text())


def _settings() -> dict[str, dict[str, str]]:
    plain = {item["name"].strip("'"): item for item in bicep.array_of_objects(MAIN, "settings")}
    secret = {item["name"].strip("'"): item for item in bicep.array_of_objects(MAIN, "secretSettings")}
    assert not plain.keys() & secret.keys()
    return {**plain, **secret}


def test_there_is_one_module_per_resource_and_each_declares_its_resource():
    used = {module.path.stem for module in bicep.modules(MAIN, AZURE)}
    assert used == set(RESOURCES)
    for name, resource_type in RESOURCES.items():
        assert f"'{resource_type}@" in (AZURE / "modules" / f"{name}.bicep").read_text()


@pytest.mark.parametrize("module", bicep.modules(MAIN, AZURE), ids=lambda module: module.symbol)
def test_each_module_gets_the_parameters_it_declares(module):
    declared = bicep.params(_module_text(module))
    assert set(module.params) <= set(declared), "passed but not declared"
    required = {name for name, param in declared.items() if not param.has_default}
    assert required <= set(module.params), "required but not passed"
    for name in declared:
        assert bicep.used_outside_declaration(_module_text(module), name), f"{module.path.name}: {name} unused"


def test_every_parameter_of_main_is_used_and_the_parameters_file_matches():
    declared = bicep.params(MAIN)
    for name in declared:
        assert bicep.used_outside_declaration(MAIN, name), f"param {name} is never used"
    given = json.loads((AZURE / "main.parameters.json").read_text())["parameters"]
    assert set(given) <= set(declared)
    assert {name for name, param in declared.items() if not param.has_default} <= set(given)


def test_every_module_output_main_reads_exists():
    outputs = {module.symbol: set(re.findall(r"^output (\w+)", _module_text(module), re.MULTILINE))
               for module in bicep.modules(MAIN, AZURE)}
    for symbol, output in re.findall(r"\b(\w+)\.outputs\.(\w+)", MAIN):
        assert output in outputs[symbol], f"{symbol}.outputs.{output}"


def test_every_setting_is_a_real_one_and_every_needed_one_is_set():
    names = set(_settings())
    fields = {f"RAKEL_{name.upper()}" for name in Settings.model_fields}
    assert names <= fields, f"not settings of the app: {sorted(names - fields)}"
    assert NEEDED <= names, f"missing: {sorted(NEEDED - names)}"


def test_secrets_come_from_key_vault_and_nothing_secret_is_a_plain_value():
    settings = _settings()
    vault_secrets = set(bicep.object_entries(bicep.block_at(MAIN, MAIN.index("var secretValues = {") + 19)))
    secret_fields = {f"RAKEL_{name.upper()}" for name, field in Settings.model_fields.items()
                     if "SecretStr" in str(field.annotation)} | {"RAKEL_APPLICATIONINSIGHTS_CONNECTION_STRING"}
    for name, item in settings.items():
        if "secret" in item:
            assert item["secret"].strip("'") in vault_secrets
        else:
            assert name not in secret_fields, f"{name} is a secret but set as a plain value"
    assert "keyVaultUrl" in MAIN and "keyVaultUrl: ref.keyVaultUrl" in (AZURE / "modules" / "containerapps.bicep").read_text()


def test_the_settings_load_as_a_keyless_production_instance(monkeypatch):
    """The literal values as they are, the others (resource outputs) as sample values of their type."""
    samples = {"RAKEL_ALLOWED_TENANT_IDS": '["11111111-2222-3333-4444-555555555555"]', "RAKEL_SHAREPOINT_SITES": "[]",
               "RAKEL_DATABASE_URL": "postgresql://id-rakel@psql.postgres.database.azure.com:5432/rakel?sslmode=require",
               "RAKEL_LLM_BASE_URL": "https://oai.openai.azure.com/", "RAKEL_AZURE_SEARCH_ENDPOINT": "https://s.search.windows.net"}
    for name, item in _settings().items():
        value = item.get("value", "")
        literal = re.fullmatch(r"'([^']*)'", value)
        monkeypatch.setenv(name, literal[1] if literal else samples.get(name, "sample"))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.env.value == "production" and settings.search_backend.value == "azure"
    assert settings.database_url.startswith("postgresql://") and not settings.llm_api_key.get_secret_value()
    assert settings.azure_client_id and not settings.azure_search_key.get_secret_value()


def test_at_least_two_replicas_and_probes_on_health_and_readiness():
    assert re.search(r"@minValue\(2\)\n(@\w+\(.*\)\n)*param minReplicas int = 2", MAIN)
    apps = (AZURE / "modules" / "containerapps.bicep").read_text()
    assert "path: '/healthz'" in apps and "path: '/readyz'" in apps and "minReplicas: minReplicas" in apps
