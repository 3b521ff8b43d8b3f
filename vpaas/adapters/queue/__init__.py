"""Job queues: in-process wake-ups (embedded) or Celery over Redis/RabbitMQ (scale-out).

Pick one with :func:`open_queue` from ``VPAAS_QUEUE_URL``.
"""

from __future__ import annotations

from vpaas.adapters.queue.base import RUN_JOB_TASK, JobQueue, QueueConfigError, WakeableQueue
from vpaas.adapters.queue.inprocess import InProcessQueue
from vpaas.settings import Settings


def celery_queue_name(settings: Settings) -> str:
    """The broker queue name (setting ``celery_queue`` when declared, else ``vpaas``)."""
    return str(settings.values.get("celery_queue") or "vpaas")


def open_queue(settings: Settings) -> JobQueue:
    """The queue named by ``settings.queue_url``: empty means in-process."""
    url = (settings.queue_url or "").strip()
    if not url:
        return InProcessQueue()
    from vpaas.adapters.queue.celery import CeleryQueue, is_celery_url

    if not is_celery_url(url):
        raise QueueConfigError(
            f"VPAAS_QUEUE_URL scheme {url.split(':', 1)[0]!r} is not supported: leave it empty "
            "for in-process workers, or use redis://host:6379/0 or amqp://user:pass@host:5672//"
        )
    return CeleryQueue.from_url(url, celery_queue_name(settings))


__all__ = [
    "RUN_JOB_TASK",
    "InProcessQueue",
    "JobQueue",
    "QueueConfigError",
    "WakeableQueue",
    "celery_queue_name",
    "open_queue",
]
