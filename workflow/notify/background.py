"""Drain the outbox repeatedly: a daemon thread for the embedded setup, a loop for workers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

from .dispatcher import Counts, drain

log = logging.getLogger(__name__)

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop: threading.Event | None = None


def run_loop(
    app: Flask,
    stop: threading.Event,
    interval: float,
    *,
    iterations: int | None = None,
    report: Callable[[Counts], None] | None = None,
) -> None:
    """Drain the outbox now and every `interval` seconds until `stop` is set; log, never raise."""
    done = 0
    while not stop.is_set():
        try:
            counts = drain(app)
        except Exception:
            # A database or mail hiccup must not end the loop: the rows wait in the outbox.
            log.exception("draining the outbox failed; trying again in %s s", interval)
        else:
            if report is not None and counts.total:
                report(counts)
        done += 1
        if iterations is not None and done >= iterations:
            return
        stop.wait(interval)


def start_background_dispatcher(app: Flask) -> threading.Thread:
    """Start the one outbox thread of this process (a second call returns the running one)."""
    global _thread, _stop
    with _lock:
        if _thread is not None and _thread.is_alive():
            return _thread
        _stop = threading.Event()
        _thread = threading.Thread(
            target=run_loop,
            args=(app, _stop, float(app.config["NOTIFY_INTERVAL_SECONDS"])),
            name="cocreate-outbox",
            daemon=True,  # never keeps the server from exiting; unsent rows stay in the outbox
        )
        _thread.start()
        log.info("outbox dispatcher started, every %s s", app.config["NOTIFY_INTERVAL_SECONDS"])
        return _thread


def stop_background_dispatcher(timeout: float = 30) -> None:
    """Ask the outbox thread to stop after its current pass and wait for it."""
    global _thread, _stop
    with _lock:
        thread, stop, _thread, _stop = _thread, _stop, None, None
    if stop is not None:
        stop.set()
    if thread is not None:
        thread.join(timeout)
