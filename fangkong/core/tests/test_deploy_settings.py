"""Issue 10, finding 24: the production settings pass `check --deploy`, and no installation runs on
a published secret key. Settings are read once per process, so each case starts a fresh one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from fangkong.config.settings import PUBLISHED_DEVELOPMENT_KEY, REPO_DIR

HTTPS_BEHIND_A_PROXY = {
    "FANGKONG_ALLOWED_HOSTS": "fangkong.example.gov.cn",
    "FANGKONG_ID_KEY": "an ID key kept in the vault",
    "FANGKONG_HSTS_SECONDS": "31536000",
    "FANGKONG_HSTS_INCLUDE_SUBDOMAINS": "1",
    "FANGKONG_HSTS_PRELOAD": "1",
    "FANGKONG_SSL_REDIRECT": "1",
    "FANGKONG_SECURE_COOKIES": "1",
    "FANGKONG_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def _run(var_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FANGKONG_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean |= {"FANGKONG_VAR_DIR": str(var_dir), "DATABASE_URL": f"sqlite:///{var_dir}/db.sqlite3"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_passes_with_the_documented_https_settings(tmp_path):
    secret = "k7P-w" * 10  # fifty characters, five different
    result = _run(tmp_path, "check", "--deploy", FANGKONG_SECRET_KEY=secret, **HTTPS_BEHIND_A_PROXY)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr, result.stderr


def test_settings_refuse_the_published_development_key_with_debug_off(tmp_path):
    refused = _run(tmp_path, "check", FANGKONG_SECRET_KEY=PUBLISHED_DEVELOPMENT_KEY)
    assert refused.returncode != 0
    assert "FANGKONG_SECRET_KEY is the published development key" in refused.stderr
    debugging = _run(
        tmp_path, "check", FANGKONG_SECRET_KEY=PUBLISHED_DEVELOPMENT_KEY, FANGKONG_DEBUG="1"
    )
    assert debugging.returncode == 0, debugging.stderr


def test_an_installation_without_a_secret_key_generates_and_keeps_its_own(tmp_path):
    show = ("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")
    first = _run(tmp_path, *show)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert key != PUBLISHED_DEVELOPMENT_KEY
    assert _run(tmp_path, *show).stdout.strip() == key  # the next start reads the same key
    kept = tmp_path / "secret_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert _run(tmp_path / "another", *show).stdout.strip() != key
