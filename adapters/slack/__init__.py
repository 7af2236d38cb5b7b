"""The Slack adapter (slack-bolt): slash command, Block Kit, modals, App Home, DMs, delivery.

The only package besides ``adapters.slack*`` that may import slack_bolt or slack_sdk: none.
"""

from adapters.slack.app import SlackAdapter

__all__ = ["SlackAdapter"]
