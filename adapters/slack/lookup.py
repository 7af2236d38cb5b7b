"""Looking Slack users up by email (``users.lookupByEmail``), for roster imports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient


def email_resolver(token: str, api_url: str = "") -> Callable[[list[str]], dict[str, str]]:
    """Emails -> Slack user ids with ``users.lookupByEmail`` (a few at a time); emails no
    user has are left out.
    """

    async def lookup(emails: list[str]) -> dict[str, str]:
        client = AsyncWebClient(token=token, base_url=api_url or AsyncWebClient.BASE_URL)
        gate = asyncio.Semaphore(5)
        found: dict[str, str] = {}

        async def one(email: str) -> None:
            async with gate:
                try:
                    response = await client.users_lookupByEmail(email=email)
                except SlackApiError:
                    return  # users_not_found and the like: reported as unresolved
                found[email] = response["user"]["id"]

        await asyncio.gather(*(one(e) for e in emails))
        return found

    return lambda emails: asyncio.run(lookup(emails))
