"""The work queue on Huey: requests run by workers, in this process or on other machines.

SQLite storage (a file beside the database) is the embedded default, so ``make run``
needs nothing else; a ``redis://`` URL (``SKYDD_QUEUE__URL``) shares one queue between
worker processes on several machines. A message names a request id and nothing else:
no personal data ever sits in the queue.

Huey removes a message when a worker takes it, so a worker killed mid-request would
lose it. The ``sweep`` task (periodic, and run at every worker start) therefore sends
again every request that is verified or in progress with a connector step pending:
the request's own steps, stored one by one, are the durable record of what is left.
The notice telling a person their request is complete is a task of its own, so the
request completes without waiting for the mail server; a refused notice is retried,
and the sweep sends again any still owed. Every morning at 07:00 (the worker's clock,
UTC) staff are reminded of requests overdue or due within a week.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import cast

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer

from skydd.bootstrap import Container
from skydd.config import QueueSettings
from skydd.domain.errors import MailNotSent
from skydd.domain.requests import RequestId
from skydd.services.request_execution import notify_completion, run_request
from skydd.services.request_reminders import remind_staff
from skydd.services.request_sweep import notices_to_send, requests_to_resume

logger = logging.getLogger(__name__)

QUEUE_NAME = "skydd"


class WorkQueue:
    """Huey with skydd's tasks registered, bound to one container; opened on first use.

    Opening it creates the SQLite queue file (or connects to Redis), so a process that
    never dispatches (a test, a command without requests) never touches the queue.
    """

    def __init__(self, container: Container, huey: Huey | None = None) -> None:
        self._container = container
        self._given = huey

    @cached_property
    def _tasks(self) -> tuple[Huey, TaskWrapper, TaskWrapper, TaskWrapper]:
        return _register_tasks(
            self._container, self._given or huey_for(self._container.settings.queue)
        )

    @property
    def huey(self) -> Huey:
        """The Huey instance, opened now if it was not yet."""
        return self._tasks[0]

    @property
    def run(self) -> TaskWrapper:
        """The task that runs one request."""
        return self._tasks[1]

    @property
    def sweep(self) -> TaskWrapper:
        """The task that queues again every request with work left."""
        return self._tasks[2]

    @property
    def notify(self) -> TaskWrapper:
        """The task that tells a person their request is complete."""
        return self._tasks[3]

    def dispatch(self, request_id: RequestId) -> None:
        """Queue a request to be run by a worker."""
        self.run(str(request_id))

    def consumer(self, *, workers: int = 1, poll_seconds: float = 0.005) -> Consumer:
        """A consumer running ``workers`` threads; idle, it polls every ``poll_seconds``."""
        return self.huey.create_consumer(
            workers=workers,
            worker_type="thread",
            initial_delay=poll_seconds,
            backoff=1.0,
            max_delay=poll_seconds,
            periodic=True,
        )


def huey_for(settings: QueueSettings) -> Huey:
    """The Huey of these settings: Redis when a URL is set, else the SQLite file."""
    if settings.url is not None:
        return RedisHuey(QUEUE_NAME, url=settings.url, results=False, blocking=True)
    Path(settings.path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.path), results=False)


def work_queue(container: Container, huey: Huey | None = None) -> WorkQueue:
    """The queue of ``container``'s settings (or ``huey``), opened when first used."""
    return WorkQueue(container, huey)


def _register_tasks(
    container: Container, queue: Huey
) -> tuple[Huey, TaskWrapper, TaskWrapper, TaskWrapper]:
    def notify_one(request_id: str) -> None:
        told = notify_completion(
            container.uow(),
            container.clock,
            container.organisation_key,
            RequestId(uuid.UUID(request_id)),
            container.execution(),
        )
        if not told:  # Huey retries; after that the sweep sends it again
            msg = "the completion notice was not sent"
            raise MailNotSent(msg)

    notify = cast(
        "TaskWrapper",
        queue.task(retries=3, retry_delay=10, name="notify_completion")(notify_one),
    )

    def run_one(request_id: str) -> None:
        execution = replace(container.execution(), notify=lambda rid: notify(str(rid)))
        request = run_request(
            container.uow(),
            container.clock,
            container.organisation_key,
            RequestId(uuid.UUID(request_id)),
            execution,
        )
        logger.info("request %s is %s", request.reference, request.status.value)

    run = cast("TaskWrapper", queue.task(retries=3, retry_delay=1, name="run_request")(run_one))

    def sweep_all() -> None:
        quiet = dt.timedelta(seconds=container.settings.queue.resume_after_seconds)
        now = container.clock.now()
        uow, key = container.uow(), container.organisation_key
        for request_id in requests_to_resume(uow, key, now, quiet):
            run(str(request_id))
        for request_id in notices_to_send(uow, key, now, quiet):
            notify(str(request_id))

    sweep = cast("TaskWrapper", queue.periodic_task(crontab(minute="*"), name="sweep")(sweep_all))

    def remind() -> None:
        remind_staff(
            container.uow(), container.clock, container.organisation_key, container.postman()
        )

    queue.periodic_task(crontab(hour="7", minute="0"), name="remind_staff")(remind)
    return queue, run, sweep, notify
