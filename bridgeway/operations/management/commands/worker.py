"""``bridgeway worker``: run queued and scheduled jobs until stopped (SIGTERM finishes the job).

``--list`` shows the jobs and when each is next due; ``--enqueue NAME`` queues one to run now;
``--batch`` runs what is due and queued, then exits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bridgeway.operations import registry, services, tasks
from bridgeway.operations.jobs import register_all
from bridgeway.operations.models import JobLease
from bridgeway.operations.worker import JobWorker


class Command(BaseCommand):
    help = "Run Bridgeway's scheduled and queued jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")
        parser.add_argument("--enqueue", metavar="NAME", help="Queue job NAME now and exit.")
        parser.add_argument(
            "--batch", action="store_true", help="Run what is due and queued, then exit."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at the queue."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        register_all()
        jobs = registry.registered()
        if options["list"]:
            due = dict(JobLease.objects.values_list("job", "next_due"))
            for name, job in sorted(jobs.items()):
                when = due.get(name)
                shown = timezone.localtime(when).isoformat(timespec="minutes") if when else "-"
                every = f"every {job.every}" if job.every else "when queued"
                self.stdout.write(f"{name:<24} {every:<24} next {shown}")
            return
        if options["enqueue"]:
            if options["enqueue"] not in jobs:
                raise CommandError(
                    f"there is no job called {options['enqueue']!r}; "
                    f"the jobs are: {', '.join(sorted(jobs))}"
                )
            task_id = services.run_now(options["enqueue"])
            self.stdout.write(f"Queued {options['enqueue']} as task {task_id}")
            return
        if options["interval"] <= 0:
            raise CommandError("--interval must be more than 0 seconds")
        worker = JobWorker(
            queue_names=["default"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=tasks.WORKER_ID,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
