"""Celery dispatch: job ids travel through a Redis or RabbitMQ broker to worker processes.

This module only *sends* ``vpaas.run_job(job_id)``; the task itself is registered by
:mod:`vpaas.jobs.celery_app` in the worker processes.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery

from vpaas.adapters.queue.base import RUN_JOB_TASK, QueueConfigError

log = logging.getLogger(__name__)

CELERY_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")
DEFAULT_QUEUE_NAME = "vpaas"


def is_celery_url(url: str) -> bool:
    """True when ``url`` names a broker Celery can use."""
    return url.split("://", 1)[0].lower() in CELERY_SCHEMES and "://" in url


def celery_config(broker_url: str, queue_name: str = DEFAULT_QUEUE_NAME) -> dict[str, Any]:
    """Celery settings shared by producers (the API server) and workers."""
    if not is_celery_url(broker_url):
        raise QueueConfigError(
            f"queue URL scheme {broker_url.split(':', 1)[0]!r} is not a Celery broker; use "
            "redis://, rediss://, amqp:// or amqps://"
        )
    if not queue_name or len(queue_name) > 200:
        raise QueueConfigError("the Celery queue name must be 1 to 200 characters")
    return {
        "broker_url": broker_url,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 5,
        "task_default_queue": queue_name,
        "task_ignore_result": True,
        "task_acks_late": False,
        "task_serializer": "json",
        "accept_content": ["json"],
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "task_publish_retry_policy": {
            "max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1,
        },
    }


class CeleryQueue:
    """Sends job ids to the ``vpaas.run_job`` Celery task on ``queue_name``."""

    def __init__(self, app: Celery, queue_name: str = DEFAULT_QUEUE_NAME) -> None:
        self.app = app
        self.queue_name = queue_name

    @classmethod
    def from_url(cls, broker_url: str, queue_name: str = DEFAULT_QUEUE_NAME) -> CeleryQueue:
        """A producer-only Celery app for ``broker_url``."""
        app = Celery("vpaas-producer", set_as_current=False)
        app.conf.update(celery_config(broker_url, queue_name))
        return cls(app, queue_name)

    def dispatch(self, job_id: int, delay: float = 0.0) -> None:
        """Publish ``job_id``; a broker failure is logged (the sweep re-dispatches)."""
        try:
            self.app.send_task(
                RUN_JOB_TASK, args=[int(job_id)], queue=self.queue_name,
                countdown=delay if delay > 0 else None,
            )
        except Exception:
            log.exception("could not dispatch job %s; the sweep will retry", job_id)

    def close(self) -> None:
        """Release broker connections."""
        self.app.close()
