"""The Discord adapter (discord.py 2.x): /mentor slash commands, DMs, buttons, modals."""

from adapters.discord.app import DiscordAdapter

__all__ = ["DiscordAdapter"]
