"""``python -m bot`` runs the ``mentorbot`` command line."""

from bot.cli import main

main()
