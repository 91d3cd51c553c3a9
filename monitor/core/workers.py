"""Worker processes that end with the process that started them."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading

__all__ = ["end_with_parent"]


def end_with_parent() -> None:
    """In a pool's worker: exit as soon as the process that started the pool is gone, even by kill -9.

    A pool worker holds its own ends of the pool's pipes, so it never reads an end of file when its parent
    dies: it would wait for work forever (and a fork server's worker keeps the fork server alive with it).
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_ready, args=(parent.sentinel,), name="parent-watch", daemon=True).start()


def _exit_when_ready(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)
