"""The words the database stores for outreach task statuses and outcomes, engine job states and user roles.

Plain tuples in a module of their own, re-exported by the table modules: the command line builds its help from
them without loading the database stack.
"""

from __future__ import annotations

__all__ = ["CLOSED_STATUSES", "JOB_STATES", "OPEN_STATUSES", "OUTCOMES", "ROLES"]

OPEN_STATUSES = ("new", "claimed", "contacted", "waiting_for_customer")
OUTCOMES = ("resolved", "no_response", "not_actionable")
CLOSED_STATUSES = OUTCOMES

# queued: in the broker; running: a worker has it; retrying: failed, queued again with a delay; failed: gave up
# (in the dead-letter queue); done: committed and acknowledged.
JOB_STATES = ("queued", "running", "retrying", "failed", "done")

ROLES = ("agent", "manager", "admin")
