"""The one django-tasks task: run a registered job by name (so the queue holds only names)."""

from __future__ import annotations

import os
import socket

from django_tasks import TaskContext, task

from bridgeway.operations import services

# This process's name in leases and runs; the worker sets it, tests may too.
WORKER_ID = f"{socket.gethostname()[:40]}-{os.getpid()}"


@task(takes_context=True)
def run_job(context: TaskContext, name: str, attempt: int = 1) -> str:
    """Run try ``attempt`` of job ``name``."""
    return services.run(name, attempt, WORKER_ID, str(context.task_result.id))
