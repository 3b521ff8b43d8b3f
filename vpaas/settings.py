"""Every setting, declared once: name, type, default, environment variable, help.

Precedence: defaults < environment (``VPAAS_<NAME>``) < explicit overrides (CLI flags, tests).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "VPAAS_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("host", str, "127.0.0.1", "Address the HTTP server listens on."),
    Setting("port", int, 8080, "Port the HTTP server listens on."),
    Setting("data_dir", str, "./data", "Directory for the SQLite database, media and uploads."),
    Setting("database_url", str, "", "SQLAlchemy URL; empty means SQLite in the data directory. "
            "PostgreSQL: postgresql+psycopg://user@host/db"),
    Setting("storage_url", str, "", "Media storage: empty means <data_dir>/media on local disk; "
            "s3://bucket/prefix for S3-compatible object storage."),
    Setting("s3_endpoint_url", str, "", "Endpoint of the S3-compatible server (empty: AWS)."),
    Setting("s3_access_key", str, "", "S3 access key id."),
    Setting("s3_secret_key", str, "", "S3 secret access key."),
    Setting("s3_region", str, "us-east-1", "S3 region."),
    Setting("queue_url", str, "", "Job dispatch: empty runs jobs in worker threads inside the "
            "server; redis://... or amqp://... dispatches job ids through Celery."),
    Setting("celery_queue", str, "vpaas", "Broker queue that carries job ids to Celery workers."),
    Setting("workers", int, 2, "Worker threads started inside `vpaas serve` (0 disables them)."),
    Setting("public_url", str, "", "Base URL clients use to reach this server (empty: derived "
            "from each request's Host header)."),
    Setting("ks_max_expiry", int, 86400 * 30, "Upper bound on a KS lifetime, in seconds."),
    Setting("max_upload_chunk_bytes", int, 2 * 1024**3, "Largest single upload chunk accepted."),
    Setting("max_upload_file_bytes", int, 50 * 1024**3, "Largest file an upload token may hold."),
    Setting("upload_token_ttl", int, 7 * 86400, "Seconds an idle upload token is kept before "
            "it times out and its bytes are removed."),
    Setting("import_max_bytes", int, 10 * 1024**3, "Largest file a URL import may download."),
    Setting("import_timeout", int, 3600, "Seconds a URL import may take."),
    Setting("import_block_private", bool, False, "Refuse URL imports from hosts that resolve "
            "to loopback, private, link-local, multicast or reserved addresses."),
    Setting("ffmpeg_timeout", int, 6 * 3600, "Seconds one ffmpeg run may take."),
    Setting("ffmpeg_threads", int, 0, "Threads per ffmpeg run (0: ffmpeg's choice)."),
    Setting("max_request_body_bytes", int, 64 * 1024**2, "Largest non-file API request body."),
    Setting("log_level", str, "info", "Log level: debug, info, warning, error."),
    Setting("accel_redirect", str, "", "Internal location prefix of a front nginx that sends "
            "media bytes (X-Accel-Redirect); empty: vpaas sends them itself."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _cast(setting: Setting, value: Any) -> Any:
    if setting.type is bool and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return setting.type(value)


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`."""

    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data_path(self) -> Path:
        return Path(self.values["data_dir"]).resolve()

    @property
    def resolved_database_url(self) -> str:
        return self.values["database_url"] or f"sqlite:///{self.data_path / 'vpaas.db'}"

    def replace(self, **overrides: Any) -> Settings:
        return load_settings(env={}, base=self.values, **overrides)


def load_settings(
    env: dict[str, str] | None = None, base: dict[str, Any] | None = None, **overrides: Any
) -> Settings:
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    for s in SETTINGS:
        value = (base or {}).get(s.name, s.default)
        if s.env in env:
            value = env[s.env]
        if overrides.get(s.name) is not None:
            value = overrides[s.name]
        values[s.name] = _cast(s, value)
    unknown = set(overrides) - set(_BY_NAME)
    if unknown:
        raise KeyError(f"unknown settings: {sorted(unknown)}")
    return Settings(values)
