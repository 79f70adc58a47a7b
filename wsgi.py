"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from workflow import create_app

app = create_app()
# What start-up built lives as long as the process: keep it out of the collector's full passes,
# which would otherwise walk it all and stall a request now and then for tens of milliseconds.
gc.freeze()
