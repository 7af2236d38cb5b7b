"""The shell: every terminal command of ``mentorbot`` (typer, :mod:`bot.cli.main`) and what the
commands share (:mod:`bot.cli.start`). Nothing under ``bot/`` imports this package; it
imports the features.
"""
