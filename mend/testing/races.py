"""Two people acting at the same moment, on two real database connections.

`one_after_the_other` runs the first action in a transaction held open until the second
has started and had time to reach the rows it needs; only then does the first commit.
Without the row locks the services take, the second would read what the first is about
to change and both would commit. SQLite queues writers at BEGIN IMMEDIATE, so the same
tests hold there too. Use with a transactional database (`transactional_db`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connections, transaction

# How long the first transaction stays open once the second has started.
HOLD = 0.6


def one_after_the_other(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run both on their own connections, the first holding its transaction open while the
    second starts. Returns what each returned or raised."""
    first_done, second_started = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def run_first() -> None:
        try:
            with transaction.atomic():
                results["first"] = first()
                first_done.set()
                second_started.wait(10)
                time.sleep(HOLD)
        except Exception as error:
            results["first"] = error
        finally:
            first_done.set()
            connections.close_all()

    def run_second() -> None:
        first_done.wait(10)
        second_started.set()
        try:
            results["second"] = second()
        except Exception as error:
            results["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results.get("first"), results.get("second")
