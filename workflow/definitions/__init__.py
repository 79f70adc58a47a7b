"""The shipped workflows, as data, and the guards they name."""
