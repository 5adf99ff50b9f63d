"""Allow `python -m model_w.migrate`."""

from model_w.migrate.cli import entry

entry()
