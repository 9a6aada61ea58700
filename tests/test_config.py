"""Configuration precedence: command line > environment > file > defaults; -s writes the file."""
import configparser

import pytest

from server.config import Config, ConfigError


def _write(path, **options):
    path.write_text("[options]\n" + "".join(f"{k} = {v}\n" for k, v in options.items()))
    return path


def test_precedence(tmp_path):
    rc = _write(tmp_path / "odoo.conf", http_port=9000, workers=2, log_level="warn", data_dir="data")
    env = {"ODOO_RC": str(rc), "ODOO_WORKERS": "3"}
    config = Config.load({"http_port": 9100}, environ=env)
    assert config["http_port"] == 9100          # command line beats all
    assert config["workers"] == 3               # environment beats the file
    assert config["log_level"] == "warn"        # file beats defaults
    assert config["list_db"] is True            # default
    assert config.data_dir == tmp_path / "data"  # relative to the file


def test_database_selection(tmp_path):
    rc = _write(tmp_path / "odoo.conf", data_dir=str(tmp_path))
    sqlite = Config.load({"db_name": "t1"}, environ={"ODOO_RC": str(rc)})
    assert sqlite.database_uri() == f"sqlite:///{tmp_path / 't1.sqlite3'}"
    pg = Config.load({"db_name": "t1", "db_host": "127.0.0.1", "db_user": "postgres"}, environ={"ODOO_RC": str(rc)})
    assert pg.database_uri() == "postgresql://postgres@127.0.0.1:5432/t1"
    uri = Config.load({"db_uri": "postgresql://u:p@h:5433/prod"}, environ={"ODOO_RC": str(rc)})
    assert uri.database_name() == "prod"


def test_save_writes_options_but_not_one_run_flags(tmp_path):
    rc = tmp_path / "saved.conf"
    config = Config.load({"config": str(rc), "save": True, "http_port": 8123, "init": "base"}, environ={})
    config.save()
    parser = configparser.RawConfigParser()
    parser.read(rc)
    assert parser.get("options", "http_port") == "8123"
    assert not parser.has_option("options", "init")
    assert Config.load({"config": str(rc)}, environ={})["http_port"] == 8123


def test_bad_values_are_clear(tmp_path):
    rc = _write(tmp_path / "odoo.conf", http_port="eighty")
    with pytest.raises(ConfigError, match="http_port"):
        Config.load({}, environ={"ODOO_RC": str(rc)})
    with pytest.raises(ConfigError, match="does not exist"):
        Config.load({}, environ={"ODOO_RC": str(tmp_path / "missing.conf")})
