"""The point of contact's pipeline: board, figures, charts, printable plan, open data."""
