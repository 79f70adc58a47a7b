"""`flask demo load`: Mongolia's NAP V with one account per role."""

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")
