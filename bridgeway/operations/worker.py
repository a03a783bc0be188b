"""``bridgeway worker``'s loop: django-tasks-db's worker, plus the timetable and recovery.

django-tasks-db claims and runs queued tasks (with row locks, ``SKIP LOCKED`` on PostgreSQL
and an exclusive transaction on SQLite). Between tasks this loop also queues periodic jobs
that are due, re-queues tries whose worker died, and waits out a database that has gone
away instead of exiting.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from bridgeway.operations import services

logger = logging.getLogger("bridgeway.jobs")

# Seconds between looks at the timetable and for lost runs.
TIMETABLE_INTERVAL = 5.0
# Longest wait between tries to reach a database that has gone away.
MOST_DATABASE_WAIT = 30.0


class JobWorker(Worker):
    """A worker that also keeps the timetable and survives the database going away."""

    def run(self) -> None:
        """Run until signalled: due jobs queued, lost runs recovered, tasks run one by one."""
        logger.info("worker %s started", self.worker_id)
        last_timetable = 0.0
        wait = 1.0
        unreachable = False
        while self.running:
            try:
                close_old_connections()
                if time.monotonic() - last_timetable >= TIMETABLE_INTERVAL:
                    services.recover_lost_runs()
                    services.enqueue_due_jobs()
                    last_timetable = time.monotonic()
                claimed = self._claim()
                if unreachable:
                    logger.warning("the database answers again; carrying on")
                    unreachable, wait = False, 1.0
            except (OperationalError, InterfaceError) as error:
                logger.warning(
                    "the database cannot be reached (%s); trying again in %.0fs",
                    type(error).__name__,
                    wait,
                )
                connections.close_all()
                unreachable = True
                time.sleep(wait)
                wait = min(wait * 2, MOST_DATABASE_WAIT)
                continue
            if claimed is not None:
                try:
                    self.run_task(claimed)
                except (OperationalError, InterfaceError):
                    # The try's own record is left running; its lease runs out and it is
                    # queued again once the database is back.
                    logger.warning("the database went away while a job ran")
                    connections.close_all()
                continue
            if self.batch:
                return
            if self.running:
                time.sleep(self.interval)

    def _claim(self) -> DBTaskResult[Any, Any] | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result
