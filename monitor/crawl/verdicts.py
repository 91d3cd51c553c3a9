"""Negativity verdicts in bulk: batches judged in worker processes, and verdicts judged ahead during an import.

An import stores its file first and analyses at the end (see `monitor.crawl.pipeline`). While it stores, the
machine's other cores would sit idle; `VerdictPrefetch` hands each stored batch's reviews to the worker processes
meanwhile and keeps the verdicts in memory, so the analysis at the end only writes them. Nothing of this is
stored before the analysis: a killed import loses the verdicts judged ahead and the next run judges them again.
A verdict judged ahead is used only for a review whose inputs (rating, text, title, language, threshold,
regulator names) hash the same at the analysis as when it was judged.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress

from monitor.core.workers import end_with_parent
from monitor.text.language import detect_languages
from monitor.text.negativity import assess, review_text

__all__ = [
    "JUDGE_BATCH",
    "PARALLEL_FROM",
    "WORKER_NICENESS",
    "Judged",
    "VerdictPrefetch",
    "Work",
    "has_spare_cores",
    "judge_many",
    "verdict_pool",
    "verdict_workers",
]

JUDGE_BATCH = 100  # reviews judged together: one language-model pass each, and one task for a worker process
PARALLEL_FROM = 20_000  # reviews from which negativity is judged in worker processes
# How much lower than the command the workers run: they keep every core busy for the length of a big import.
WORKER_NICENESS = 10

# rating, rating scale, body, title, stated language, unhappy threshold, the company's own regulator names
Work = tuple[float | None, int, str, str | None, str | None, float, tuple[str, ...]]
Judged = tuple[bool, float, str, str | None]  # unhappy, severity, flags, language


def judge_many(work: Sequence[Work]) -> list[Judged]:
    """Negativity verdicts as plain values (a top-level function, so worker processes can run it).

    The languages the reviews do not state are detected for the whole batch at once: one model pass instead of
    one a review, the largest single saving of the analysis.
    """
    texts = [review_text(text, title) for _, _, text, title, _, _, _ in work]
    unknown = [position for position, item in enumerate(work) if not item[4]]
    detected = dict(zip(unknown, detect_languages([texts[position] for position in unknown]), strict=True))
    judged: list[Judged] = []
    for position, (rating, scale, text, title, language, threshold, regulators) in enumerate(work):
        verdict = assess(
            rating=rating,
            rating_scale=scale,
            text=text,
            title=title,
            language=language or detected.get(position),
            threshold=threshold,
            extra_regulators=regulators,
            detect=False,
        )
        judged.append((verdict.unhappy, verdict.severity, ",".join(sorted(verdict.flags)), verdict.language))
    return judged


@contextmanager
def verdict_pool(reviews: int) -> Iterator[Executor | None]:
    """Worker processes to judge `reviews` reviews in parallel, or None when there are too few to be worth it.

    Starting the workers costs about a second; judging a review costs milliseconds (language identification).
    """
    if reviews < PARALLEL_FROM or not has_spare_cores():
        yield None
        return
    with verdict_workers() as pool:
        yield pool


def has_spare_cores() -> bool:
    """Whether worker processes can run beside this one (more than one core)."""
    return (os.cpu_count() or 1) >= 2


@contextmanager
def verdict_workers() -> Iterator[ProcessPoolExecutor]:
    """Worker processes for `judge_many`: one a core, ten steps nicer, ending with this process."""
    # A fork server, not a plain fork: the workers never inherit this process's threads or database handles.
    context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context, initializer=_start_worker) as pool:
        yield pool


def _start_worker() -> None:
    """Run this worker at a lower priority, and end it when the process that started it is gone."""
    # Lower, so that a command typed meanwhile (a claim) gets a core at once; a platform or sandbox that
    # forbids it leaves the worker as it is.
    if hasattr(os, "nice"):
        with suppress(OSError):
            os.nice(WORKER_NICENESS)
    end_with_parent()


class VerdictPrefetch:
    """Reviews judged by worker processes while an import is still storing; their verdicts wait in memory.

    Bounded twice: at most `backlog` reviews wait for a worker (a batch that would exceed it is left for the
    analysis, so storing never waits for judging), and at most `keep` verdicts are held (about 250 bytes each).
    """

    def __init__(self, pool: Executor, *, backlog: int = 20_000, keep: int = 250_000) -> None:
        self.pool = pool
        self.backlog = backlog
        self.keep = keep
        self._waiting: list[tuple[Future[list[Judged]], list[tuple[int, int]]]] = []
        self._in_flight = 0
        self._ready: dict[int, tuple[int, Judged]] = {}
        self.used = 0

    def submit(self, items: Sequence[tuple[int, Work]]) -> int:
        """Hand (review id, work) pairs to the workers, as far as the bounds allow; how many were taken."""
        self._collect()
        taken = 0
        for start in range(0, len(items), JUDGE_BATCH):
            batch = items[start : start + JUDGE_BATCH]
            held = self._in_flight + len(self._ready)
            if self._in_flight + len(batch) > self.backlog or held + len(batch) > self.keep:
                break
            keys = [(review_id, hash(work)) for review_id, work in batch]
            self._waiting.append((self.pool.submit(judge_many, [work for _, work in batch]), keys))
            self._in_flight += len(batch)
            taken += len(batch)
        return taken

    def take(self, review_id: int, work: Work) -> Judged | None:
        """The verdict judged ahead for this review, if its inputs are still the same; it is then forgotten."""
        if review_id not in self._ready and self._in_flight:
            self._collect(wait=True)
        found = self._ready.pop(review_id, None)
        if found is None or found[0] != hash(work):
            return None
        self.used += 1
        return found[1]

    def _collect(self, *, wait: bool = False) -> None:
        """Move finished batches' verdicts into memory (all of them, waiting for the workers, when `wait`)."""
        still: list[tuple[Future[list[Judged]], list[tuple[int, int]]]] = []
        for future, keys in self._waiting:
            if not wait and not future.done():
                still.append((future, keys))
                continue
            self._in_flight -= len(keys)
            for (review_id, key), judged in zip(keys, future.result(), strict=True):
                self._ready[review_id] = (key, judged)
        self._waiting = still
