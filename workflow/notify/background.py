"""Drain the outbox repeatedly: a daemon thread for the embedded setup, a loop for workers.

The embedded thread starts with the first request a process serves, never when an app is merely
created: a short CLI command (`flask users token ...`) also creates the app, and a thread there
would claim rows and die with the command, mid-batch. At interpreter exit the thread is asked to
stop: it finishes the message in hand and hands the rest of its batch back, due at once. Exit
waits for that at most MAIL_TIMEOUT seconds; rows a thread still holds after that are taken over
by the next dispatcher once their claim times out.
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import threading
import time
from collections.abc import Callable

from flask import Flask

from .dispatcher import Counts, check_settings, drain
from .retention import hourly_housekeeping

log = logging.getLogger(__name__)

HOURLY = 3600.0

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop: threading.Event | None = None
_exit_wait: float = 0.0
_exit_hook_installed = False


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
    hourly_at = 0.0
    while not stop.is_set():
        try:
            counts = drain(app, stop=stop)
            if time.monotonic() >= hourly_at:  # housekeeping needs no more than once an hour
                hourly_at = time.monotonic() + HOURLY
                hourly_housekeeping(app)
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


def start_background_dispatcher(app: Flask) -> None:
    """Drain the outbox from a thread of each process that serves `app`, from its first request."""
    check_settings(app.config)  # refuse unsafe settings when the server starts, not per pass

    @app.before_request
    def _start_outbox_thread() -> None:
        thread = _thread
        if thread is None or not thread.is_alive():
            ensure_dispatcher_thread(app)


def ensure_dispatcher_thread(app: Flask) -> threading.Thread:
    """Start this process's one outbox thread, for `app`; return the running one if there is."""
    global _thread, _stop, _exit_wait, _exit_hook_installed
    with _lock:
        # After a fork the parent's thread does not run here: is_alive() is False in the child.
        if _thread is not None and _thread.is_alive():
            return _thread
        interval = float(app.config["NOTIFY_INTERVAL_SECONDS"])
        _stop = threading.Event()
        _thread = threading.Thread(
            # A context of its own: nothing of the request that started it (read-only flag,
            # app context) may leak into the loop.
            target=contextvars.Context().run,
            args=(run_loop, app, _stop, interval),
            name="cocreate-outbox",
            daemon=True,  # exit is never held up by it; _stop_at_exit bounds the wait
        )
        _exit_wait = float(app.config["MAIL_TIMEOUT"])
        if not _exit_hook_installed:
            atexit.register(_stop_at_exit)
            _exit_hook_installed = True
        _thread.start()
        log.info("outbox dispatcher started, every %s s", interval)
        return _thread


def stop_background_dispatcher(timeout: float = 30) -> None:
    """Ask the outbox thread to stop after the message in hand and wait for it."""
    global _thread, _stop
    with _lock:
        thread, stop, _thread, _stop = _thread, _stop, None, None
    if stop is not None:
        stop.set()
    if thread is not None:
        thread.join(timeout)
        if thread.is_alive():
            log.warning("the outbox thread did not stop within %s s", timeout)


def _stop_at_exit() -> None:
    stop_background_dispatcher(timeout=_exit_wait)
