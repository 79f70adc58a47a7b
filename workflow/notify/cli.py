"""`flask notify ...`: deliver the outbox."""

from flask.cli import AppGroup

notify_cli = AppGroup("notify", help="Deliver notification email from the outbox.")
