"""Bench-only settings (``casework_inbox_bench.py``): the project's, and its URLs with one more.

``/bench/inbox-plain/`` is the inbox view itself (the same decorators, sign-in and 2FA checks,
filter form and selector, so the same queries) with only the template left out: it answers
the page's references as plain text. It is the inbox bench's baseline, a plain request of the
same page without rendering. Never used outside the bench.
"""

from bridgeway.settings import *  # noqa: F403

ROOT_URLCONF = "inbox_plain_urls"
