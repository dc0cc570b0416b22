"""``python -m skydd`` runs the command line."""

from skydd.cli.main import run

run()
