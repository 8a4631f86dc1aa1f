"""Settings: typed, from RAKEL_* variables, failing at start-up with the variable's name."""

from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, Settings, SettingsError, load_settings


def test_every_setting_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`RAKEL_{name.upper()}`" not in readme]
    assert missing == []


def test_values_come_from_rakel_variables(monkeypatch):
    monkeypatch.setenv("RAKEL_PORT", "4000")
    monkeypatch.setenv("RAKEL_ALLOWED_TENANT_IDS", '["t1", "t2"]')
    settings = load_settings(_env_file=None)
    assert settings.port == 4000 and settings.allowed_tenant_ids == ["t1", "t2"]


def test_a_bad_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("RAKEL_PORT", "not-a-port")
    with pytest.raises(SettingsError, match="RAKEL_PORT"):
        load_settings(_env_file=None)


def test_the_database_defaults_to_sqlite_in_the_data_dir(tmp_path: Path):
    settings = load_settings(_env_file=None, data_dir=tmp_path)
    assert settings.database_target == f"sqlite:///{tmp_path / 'rakel.db'}"
