"""``python -m bot`` runs the ``mentorbot`` command line."""

from bot.cli.main import main

main()
