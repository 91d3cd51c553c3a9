"""The task engine: a Dramatiq broker on RabbitMQ or Redis, the product's actors, and the journal of their jobs.

Dramatiq acknowledges a message only after its actor returned, so the work is committed first; a worker that dies
(even by kill -9) never acknowledges, and RabbitMQ gives its unacknowledged messages to the other workers as soon as
the dead worker's connection closes (Redis: after the heartbeat timeout, one minute). Failures are retried with
exponential backoff; a job that keeps failing ends in the dead-letter queue and as `failed` in the journal.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy.engine import Engine

from monitor.digest.delivery import run_scheduled_digest
from monitor.engine.jobs import crawl_now, upkeep_now
from monitor.engine.journal import Journal

__all__ = ["ACTOR_OPTIONS", "QUEUES", "Engine_", "connect_engine", "enqueue", "worker_name"]

# What each kind of job may take: a crawl of a long history runs for minutes, upkeep re-clusters templates.
ACTOR_OPTIONS: dict[str, Any] = {
    "max_retries": 5,
    "min_backoff": 10_000,  # ms: 10 s, then 20 s, 40 s... for a database or broker that was briefly away
    "max_backoff": 600_000,
    "time_limit": 3_600_000,  # a crawl that runs for an hour is stuck
}
QUEUES = ("crawl", "digest", "upkeep")


@dataclass
class Engine_:  # "Engine" is the database engine everywhere else in the product
    """A connected broker with the product's actors declared on it, by job kind."""

    broker: dramatiq.Broker
    actors: dict[str, dramatiq.Actor[Any, Any]]
    prefix: str

    def queue(self, kind: str) -> str:
        """The broker queue of a kind of job."""
        return f"{self.prefix}.{kind}"

    def close(self) -> None:
        """Close the broker's connections."""
        self.broker.close()


def worker_name() -> str:
    """How the journal names this worker process: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def connect_engine(url: str, *, database: Engine, config_path: str | None, prefix: str = "monitor") -> Engine_:
    """A broker for `url` (amqp:// or redis://) journaling into `database`, with the crawl, digest and upkeep actors."""
    journal = Journal(database, worker_name())
    broker: dramatiq.Broker
    if url.startswith(("redis://", "rediss://")):
        broker = RedisBroker(url=url, namespace=prefix)  # type: ignore[no-untyped-call]
    else:
        broker = RabbitmqBroker(url=url, confirm_delivery=True)
    broker.add_middleware(journal)
    engine = Engine_(broker, {}, prefix)
    bodies: dict[str, Callable[..., Any]] = {
        "crawl": lambda source_name: crawl_now(config_path, source_name),
        "digest": lambda company_name: run_scheduled_digest(config_path, company_name),
        "upkeep": lambda: upkeep_now(config_path),
    }
    for kind, body in bodies.items():
        actor: dramatiq.Actor[Any, Any] = dramatiq.Actor(
            body,
            broker=broker,
            actor_name=f"{prefix}.{kind}",
            queue_name=engine.queue(kind),
            priority=0,
            options=dict(ACTOR_OPTIONS),
        )
        engine.actors[kind] = actor
    return engine


# The scheduler enqueues from its job threads for as long as it runs: one broker connection per process and URL,
# not one per job.
_SHARED: dict[tuple[str, str, str | None], Engine_] = {}
_SHARED_LOCK = threading.Lock()


def enqueue(kind: str, *args: str, url: str, database: Engine, config_path: str | None, prefix: str) -> str:
    """Queue one job of `kind` for the workers; its message id."""
    key = (url, prefix, config_path)
    with _SHARED_LOCK:
        engine = _SHARED.get(key)
        if engine is None:
            engine = _SHARED[key] = connect_engine(url, database=database, config_path=config_path, prefix=prefix)
    message = engine.actors[kind].send(*args)
    return str(message.message_id)
