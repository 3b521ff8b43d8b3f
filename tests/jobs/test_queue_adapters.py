"""Queue adapters (vpaas/adapters/queue): in-process wake-ups, Celery producer, open_queue."""

from __future__ import annotations

import threading

import pytest

from vpaas.adapters.queue import (
    InProcessQueue,
    JobQueue,
    QueueConfigError,
    WakeableQueue,
    open_queue,
)
from vpaas.adapters.queue.celery import CeleryQueue, celery_config, is_celery_url
from vpaas.settings import load_settings


def test_inprocess_dispatch_leaves_one_token_per_job() -> None:
    queue = InProcessQueue()
    assert isinstance(queue, WakeableQueue)
    queue.dispatch(1)
    queue.dispatch(2)
    queue.dispatch(3, delay=5)  # delayed: found by polling, not by a wake-up
    assert [queue.wait(0), queue.wait(0), queue.wait(0)] == [True, True, False]


def test_inprocess_dispatch_wakes_a_waiting_thread() -> None:
    queue = InProcessQueue()
    woke: list[bool] = []
    waiting = threading.Thread(target=lambda: woke.append(queue.wait(30)))
    waiting.start()
    queue.dispatch(7)
    waiting.join(10)
    assert woke == [True]


def test_inprocess_close_releases_waiters() -> None:
    queue = InProcessQueue()
    waiting = threading.Thread(target=queue.wait, args=(30,))
    waiting.start()
    queue.close()
    waiting.join(10)
    assert not waiting.is_alive()
    assert queue.wait(30) is True  # closed: returns at once


def test_open_queue_picks_the_backend_from_the_url() -> None:
    assert isinstance(open_queue(load_settings(env={})), InProcessQueue)
    queue = open_queue(load_settings(env={"VPAAS_QUEUE_URL": "redis://127.0.0.1:6379/0"}))
    assert isinstance(queue, CeleryQueue) and isinstance(queue, JobQueue)
    assert queue.queue_name == "vpaas"
    queue.close()


def test_open_queue_rejects_unknown_schemes_without_echoing_secrets() -> None:
    settings = load_settings(env={"VPAAS_QUEUE_URL": "kafka://user:s3cret@host/"})
    with pytest.raises(QueueConfigError, match="'kafka' is not supported") as err:
        open_queue(settings)
    assert "s3cret" not in str(err.value)
    with pytest.raises(QueueConfigError, match="queue name"):
        celery_config("redis://h/0", "")


def test_celery_urls() -> None:
    assert all(map(is_celery_url, ["redis://h", "rediss://h", "amqp://h//", "amqps://h"]))
    assert not any(map(is_celery_url, ["", "redis", "http://h", "sqs://"]))


def test_celery_dispatch_to_an_unreachable_broker_does_not_raise() -> None:
    queue = CeleryQueue.from_url("redis://127.0.0.1:1/0", "nowhere")
    queue.dispatch(1)  # logged; the sweep re-dispatches once the broker is back
    queue.close()
