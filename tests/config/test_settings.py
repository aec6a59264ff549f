"""Settings as each environment gets them: read by a fresh interpreter, because
config/settings.py decides from the environment once, at import."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION_ENV = ROOT / "config" / "production.env.example"
# Only what the app itself reads: nothing from the developer's shell leaks in.
CLEAN = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}


def production_env() -> dict[str, str]:
    env = {}
    for line in PRODUCTION_ENV.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**CLEAN, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_under(env: dict[str, str], expression: str):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({expression}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**CLEAN, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_passes_without_a_warning_under_the_documented_production_env():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "complaint"),
    [("SECURE_HSTS_SECONDS", "security.W004"), ("SECRET_KEY", "SECRET_KEY must be set")],
)
def test_check_deploy_fails_when_a_documented_variable_is_missing(variable, complaint):
    env = production_env()
    del env[variable]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert complaint in result.stdout + result.stderr


def test_only_behind_the_tls_proxy_does_x_forwarded_proto_count():
    expression = "settings.SECURE_PROXY_SSL_HEADER"
    assert settings_under(production_env(), expression) == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings_under({}, expression) is None


def test_production_serves_collected_hashed_static_files_and_development_serves_static_dir():
    production = settings_under(
        production_env(),
        "[settings.STORAGES['staticfiles']['BACKEND'], settings.WHITENOISE_USE_FINDERS]",
    )
    development = settings_under(
        {}, "[settings.STORAGES['staticfiles']['BACKEND'], settings.WHITENOISE_USE_FINDERS]"
    )
    assert production == ["whitenoise.storage.CompressedManifestStaticFilesStorage", False]
    assert development == ["django.contrib.staticfiles.storage.StaticFilesStorage", True]


def test_media_go_to_the_local_disk_unless_a_bucket_is_named():
    assert settings_under({}, "settings.STORAGES['default']") == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    storage = settings_under(
        {
            "AWS_STORAGE_BUCKET_NAME": "inspect-media",
            "AWS_S3_ENDPOINT_URL": "https://objects.example.com",
        },
        "settings.STORAGES['default']",
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "inspect-media"
    assert storage["OPTIONS"]["endpoint_url"] == "https://objects.example.com"
    assert storage["OPTIONS"]["file_overwrite"] is False


@pytest.mark.parametrize(
    ("value", "backend"),
    [
        (None, "django_tasks_db.DatabaseBackend"),
        ("db", "django_tasks_db.DatabaseBackend"),
        ("rq", "django_tasks_rq.RQBackend"),
        ("immediate", "django_tasks.backends.immediate.ImmediateBackend"),
    ],
)
def test_tasks_backend_is_chosen_by_the_environment(value, backend):
    env = {} if value is None else {"TASKS_BACKEND": value}
    assert settings_under(env, "settings.TASKS['default']['BACKEND']") == backend


def test_an_unknown_tasks_backend_stops_the_app_with_a_clear_message():
    result = run_manage("check", env={"TASKS_BACKEND": "celery"})
    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of db, rq, immediate, got 'celery'" in result.stderr


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's own settings",
)
@pytest.mark.django_db
def test_sqlite_connections_use_wal_immediate_transactions_and_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000
    assert connection.transaction_mode == "IMMEDIATE"
