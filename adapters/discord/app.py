"""discord.py wiring: the /mentor command group, DMs, persistent buttons, modals, delivery.

Buttons are ``DynamicItem``s whose ``custom_id`` carries the command (``mentor:checkin met``),
registered at start, so a button on a weeks-old nudge still works after a restart. Modals are
used for forms of up to five inputs; longer ones (the profile) run step by step in the DM.
Only the intents used are requested (guilds, DMs); DM content needs no privileged intent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands

from adapters.discord.render import NO_MENTIONS, STYLES, clip, files_of, mentions_of, render
from adapters.discord.translate import PromptsTranslator, described
from adapters.surfaces import DISCORD
from bot.app import MentorBot
from bot.delivery import DMS_CLOSED, LEFT_WORKSPACE, DeliveryResult, Target
from bot.events import Action, Actor, Command, DirectMessage, Event, FormSubmitted
from bot.outbox import Pacing
from bot.replies import Form, Message, Reply, Section, as_message

log = logging.getLogger(__name__)

# Discord allows 50 requests a second per bot; stay well under it, and space DMs a little.
PACING = Pacing(per_second=25.0, per_target_seconds=0.5)
ANSWER_BUDGET = 2.0  # seconds before an interaction is deferred (Discord allows 3)
MODAL_LIMIT = 5
PERMANENT_CODES = {10003, 10004, 10013, 50001, 50007, 50013, 50035}
# Codes meaning a DM will never reach the person: DMs closed to the bot (they are still in
# the server: 50007, "Cannot send messages to this user"), or no such user any more (10013).
UNREACHABLE = {50007: DMS_CLOSED, 10013: LEFT_WORKSPACE}
THREAD_NAME = "mentorbot"


class MentorButton(discord.ui.DynamicItem[discord.ui.Button], template=r"mentor:(?P<command>.+)"):
    """A button whose custom_id carries the command it runs; survives restarts."""

    def __init__(self, command: str, label: str = "…", style: str = "default") -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label, 80),
                style=STYLES.get(style, discord.ButtonStyle.secondary),
                custom_id=f"mentor:{command}"[:100],
            )
        )
        self.command = command

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MentorButton:
        """Rebuild the button from its custom_id after a restart."""
        label = getattr(item, "label", None) or "…"
        return cls(match["command"], label)

    async def callback(self, interaction: discord.Interaction) -> None:
        """A click runs the command the button carries."""
        adapter: DiscordAdapter = interaction.client.mentor  # type: ignore[attr-defined]
        await adapter.answer(interaction, Action(adapter.actor(interaction), self.command))


class FormModal(discord.ui.Modal):
    """A neutral Form as a Discord modal (five inputs at most)."""

    def __init__(self, adapter: DiscordAdapter, form: Form) -> None:
        super().__init__(title=clip(form.title, 45), custom_id=f"form:{form.form_id}", timeout=None)
        self.adapter = adapter
        self.form = form
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for field in form.fields[:MODAL_LIMIT]:
            text_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=clip(field.label, 45),
                custom_id=field.name,
                required=field.required,
                default=field.initial[:4000] or None,
                max_length=min(field.max_length, 4000),
                placeholder=clip(field.hint.replace("`", ""), 100) or None,
                style=discord.TextStyle.paragraph
                if field.kind == "multiline"
                else discord.TextStyle.short,
            )
            self.inputs[field.name] = text_input
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Submit the values as a FormSubmitted event and answer privately."""
        values = {name: str(item.value or "") for name, item in self.inputs.items()}
        event = FormSubmitted(self.adapter.actor(interaction), self.form.form_id, values)
        await self.adapter.answer(interaction, event)


class MentorClient(discord.Client):
    """The discord.py client: no privileged intents; hands events to the adapter."""

    def __init__(self, adapter: DiscordAdapter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mentor = adapter
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        """Register the persistent buttons and sync the command group."""
        self.add_dynamic_items(MentorButton)
        await self.mentor.sync_commands()

    async def on_message(self, message: discord.Message) -> None:
        """DMs go to the adapter."""
        await self.mentor.on_message(message)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A guild's roles are known: resolve admin role names to ids, once."""
        self.mentor.resolve_admin_roles(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Added to a new guild: resolve admin role names there too."""
        self.mentor.resolve_admin_roles(guild)


class MentorShardedClient(MentorClient, discord.AutoShardedClient):
    """The same client over several gateway connections (shards), for large bots."""


def _client(adapter: DiscordAdapter, conf: Any, **options: Any) -> MentorClient:
    """One gateway connection, or ``[discord] shards`` of them (0: Discord's recommendation)."""
    if conf.shards == 1 and not conf.shard_ids:
        return MentorClient(adapter, **options)
    if conf.shards:
        options["shard_count"] = conf.shards
    if conf.shard_ids:
        options["shard_ids"] = [int(i) for i in conf.shard_ids]
    log.info(
        "discord: %s shard(s), this process runs %s",
        conf.shards or "recommended",
        list(conf.shard_ids) or "all",
    )
    return MentorShardedClient(adapter, **options)


class DiscordAdapter:
    """One Discord bot bound to the neutral core."""

    platform = "discord"

    def __init__(
        self,
        bot: MentorBot,
        *,
        guild_ids: tuple[int, ...] = (),
        api_url: str | None = None,
        gateway_url: str | None = None,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        self.bot = bot
        self.guild_ids = guild_ids
        # discord.py keeps these endpoints on classes; set them only when asked (proxy, tests).
        if api_url:
            discord.http.Route.BASE = api_url.rstrip("/")
        if gateway_url:
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
        self._connection: asyncio.Future[None] | None = None
        # guild id -> role id -> the configured admin role name it was resolved from
        self._named_roles: dict[int, dict[int, str]] = {}
        intents = discord.Intents.none()
        intents.guilds = True
        intents.dm_messages = True
        # How long discord.py waits after the last GUILD_CREATE before it calls itself ready.
        self.client = _client(
            self,
            bot.settings.discord,
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            guild_ready_timeout=guild_ready_timeout,
        )
        self.sender = DiscordSender(self)
        self.ready = asyncio.Event()
        self._register_commands()

    # -- identity -------------------------------------------------------------------------
    def workspace(self, guild_id: int | None) -> str:
        """The workspace id of a guild (or of DMs, which have none)."""
        if guild_id is not None:
            return str(guild_id)
        return str(self.guild_ids[0]) if self.guild_ids else "dm"

    def resolve_admin_roles(self, guild: discord.Guild) -> None:
        """Admin roles configured by name become role ids in ``guild``, once, when it comes
        online: a role someone creates later with the same name is not an admin role.
        """
        if guild.id in self._named_roles:
            return
        resolved: dict[int, str] = {}
        for name in self.bot.settings.admins.discord_roles:
            if name.isdigit():
                continue
            matches = [r for r in guild.roles if r.name == name]
            if len(matches) == 1:
                resolved[matches[0].id] = name
                log.info("admin role %r is role id %s in guild %s", name, matches[0].id, guild.id)
            else:
                log.warning(
                    "admin role %r: %s roles of that name in guild %s; configure the role id",
                    name,
                    len(matches),
                    guild.id,
                )
        self._named_roles[guild.id] = resolved

    def actor(self, interaction: discord.Interaction) -> Actor:
        """Who clicked or typed, with their role ids (and the configured admin role names
        resolved to those ids at start) for admin checks.
        """
        user = interaction.user
        roles: tuple[str, ...] = ()
        if isinstance(user, discord.Member):
            # Roles of a guild the bot has not seen (no GUILD_CREATE) are unknown: no admin.
            held = [r.id for r in user.roles if not r.is_default()]
            named = self._named_roles.get(user.guild.id, {})
            roles = tuple(str(i) for i in held) + tuple(named[i] for i in held if i in named)
        return Actor(
            "discord",
            str(user.id),
            user.display_name,
            self.workspace(interaction.guild_id),
            None,
            roles,
            DISCORD,
            locale=str(interaction.locale.value) if interaction.locale else None,
        )

    # -- commands -------------------------------------------------------------------------
    def _register_commands(self) -> None:
        """The ``/mentor`` group, generated from the core's command specs: each visible
        command with its summary and usage from prompts/ (Discord allows 100 characters).
        """
        prompts = self.bot.prompts
        group = app_commands.Group(
            name="mentor",
            description=described(prompts.text("help.group_summary"), "help.group_summary"),
        )

        def simple(name: str, description: app_commands.locale_str) -> None:
            async def callback(interaction: discord.Interaction) -> None:
                await self.answer(interaction, Command(self.actor(interaction), name))

            group.command(name=name, description=description)(callback)

        def with_args(
            name: str, description: app_commands.locale_str, hint: app_commands.locale_str
        ) -> None:
            async def callback(interaction: discord.Interaction, args: str = "") -> None:
                text = f"{name} {args}".strip()
                await self.answer(interaction, Command(self.actor(interaction), text))

            described = app_commands.describe(args=hint)(callback)
            group.add_command(
                app_commands.Command(name=name, description=description, callback=described)
            )

        for spec in self.bot.router.specs():
            if spec.hidden:
                continue
            # Descriptions carry their prompt key: PromptsTranslator localizes them.
            summary = described(prompts.text(spec.summary_key), spec.summary_key)
            usage = prompts.text(spec.usage_key).strip()
            arguments = usage[len(spec.name) :].strip() if usage.startswith(spec.name) else ""
            if arguments:
                with_args(spec.name, summary, described(arguments, spec.usage_key, name=spec.name))
            else:
                simple(spec.name, summary)
        self.client.tree.add_command(group)

    async def sync_commands(self) -> None:
        """Guild commands appear at once; global ones can take a while to spread. Their
        descriptions go with each language's localization (``PromptsTranslator``).
        """
        tree = self.client.tree
        await tree.set_translator(PromptsTranslator(self.bot.prompts))
        if self.guild_ids:
            for guild_id in self.guild_ids:
                guild = discord.Object(id=guild_id)
                tree.copy_global_to(guild=guild)
                await tree.sync(guild=guild)
        else:
            await tree.sync()

    # -- inbound --------------------------------------------------------------------------
    async def answer(self, interaction: discord.Interaction, event: Event) -> None:
        """Run the core and answer within Discord's 3 seconds (deferring when slower)."""
        work = asyncio.ensure_future(self.bot.ahandle(event))
        deferred = False
        try:
            reply = await asyncio.wait_for(asyncio.shield(work), ANSWER_BUDGET)
        except TimeoutError:
            await interaction.response.defer(ephemeral=True, thinking=True)
            deferred = True
            reply = await work
        if isinstance(reply, Form) and not deferred:
            if len(reply.fields) <= MODAL_LIMIT:
                await interaction.response.send_modal(FormModal(self, reply))
                return
            reply = Message((Section(self.bot.prompts.render("error.form_too_big")),))
        message = self.message_of(reply)
        content, embed, view = render(message, MentorButton)
        kwargs: dict[str, Any] = {"embed": embed, "allowed_mentions": NO_MENTIONS}
        if view is not None:
            kwargs["view"] = view
        if message.files():
            kwargs["files"] = files_of(message)
        if deferred:
            if content:
                kwargs["content"] = content
            await interaction.followup.send(ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(
                content=content or None, ephemeral=True, **kwargs
            )

    def message_of(self, reply: Reply) -> Message:
        """Any reply as a message. Discord closes a modal on submit, so form errors come as
        a message with a button that reopens the form.
        """
        return as_message(reply, retry_label=self.bot.prompts.text("button.try_again"))

    async def on_message(self, message: discord.Message) -> None:
        """A DM to the bot is a DirectMessage event; the answer goes to the same channel."""
        if message.guild is not None or message.author.bot:
            return
        if self.client.user is not None and message.author.id == self.client.user.id:
            return
        actor = Actor(
            "discord",
            str(message.author.id),
            message.author.display_name,
            self.workspace(None),
            surface=DISCORD,
        )
        reply = await self.bot.ahandle(DirectMessage(actor, message.content))
        answer = self.message_of(reply)
        content, embed, view = render(answer, MentorButton)
        kwargs: dict[str, Any] = {"embed": embed, "allowed_mentions": NO_MENTIONS}
        if view is not None:
            kwargs["view"] = view
        if answer.files():
            kwargs["files"] = files_of(answer)
        await message.channel.send(content=content or None, **kwargs)

    # -- running --------------------------------------------------------------------------
    async def start(self, token: str) -> None:
        """Log in, connect to the gateway in the background, return once READY."""
        await self.client.login(token)
        self._connection = asyncio.ensure_future(self.client.connect(reconnect=True))
        await self.client.wait_until_ready()

    async def close(self) -> None:
        """Log out and close the connection."""
        await self.client.close()
        if self._connection is not None:
            await asyncio.gather(self._connection, return_exceptions=True)


class DiscordSender:
    """Outbox delivery: DMs (DM channel ids cached) and channel posts."""

    platform = "discord"

    def __init__(self, adapter: DiscordAdapter) -> None:
        self.adapter = adapter
        self._dms: dict[str, int] = {}
        self._threads: dict[tuple[str, str], int] = {}  # (channel, user) -> private thread

    async def _thread(self, channel_id: str, user_id: str) -> Any:
        """A private thread in ``channel_id`` with only ``user_id`` added (made once per run):
        where a person whose DMs are closed gets their messages.
        """
        client = self.adapter.client
        key = (channel_id, user_id)
        if key not in self._threads:
            parent = client.get_channel(int(channel_id)) or await client.fetch_channel(
                int(channel_id)
            )
            if not isinstance(parent, discord.TextChannel):
                raise LookupError(f"channel {channel_id} has no private threads")
            thread = await parent.create_thread(
                name=THREAD_NAME, type=discord.ChannelType.private_thread, invitable=False
            )
            await thread.add_user(discord.Object(id=int(user_id)))
            self._threads[key] = thread.id
        return client.get_partial_messageable(self._threads[key])

    async def _left_guild(self, guild_id: str, user_id: str) -> bool:
        """Whether ``user_id`` is no longer a member of the guild (a REST lookup: no
        privileged intent needed). Discord answers 50007 both to closed DMs and to people who
        share no server with the bot any more; this tells them apart.
        """
        if not guild_id.isdigit() or not user_id.isdigit():
            return False
        try:
            await self.adapter.client.http.get_member(int(guild_id), int(user_id))
        except discord.NotFound:
            return True
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError):
            return False  # unknown: treated as still there (they get the fallback)
        return False

    async def _channel(self, target: Target) -> Any:
        client = self.adapter.client
        if target.kind in ("private", "mention"):
            return await self._thread(target.ids[0], target.ids[1])
        if target.kind == "channel":
            channel_id = int(target.ids[0])
            return client.get_channel(channel_id) or await client.fetch_channel(channel_id)
        user_id = target.ids[0]
        if user_id not in self._dms:
            user = await client.fetch_user(int(user_id))
            self._dms[user_id] = (await user.create_dm()).id
        return client.get_partial_messageable(self._dms[user_id])

    async def send(self, target: Target, message: Message) -> DeliveryResult:
        """Deliver one message; Discord errors become neutral delivery results. Before the
        client is logged in nothing is tried: the row waits (no attempt used).
        """
        if not self.adapter.client.is_ready():
            return DeliveryResult("rate_limited", retry_after=5.0, error="not logged in yet")
        try:
            channel = await self._channel(target)
            content, embed, view = render(message, MentorButton)
            pings, allowed = mentions_of(message)
            content = f"{pings} {content}".strip() if pings else content
            if target.kind in ("private", "mention") and target.ids[1].isdigit():
                # In the thread, the person is mentioned (and notified); nobody else is.
                content = f"<@{target.ids[1]}> {content or ''}".strip()
                allowed = discord.AllowedMentions(
                    everyone=False, roles=False, users=[discord.Object(id=int(target.ids[1]))]
                )
            kwargs: dict[str, Any] = {"embed": embed, "allowed_mentions": allowed}
            if message.delivery_id:
                # Sent with enforce_nonce: a resend of the same outbox row after a crash gets
                # the message Discord already has instead of a second one.
                kwargs["nonce"] = message.delivery_id
            if view is not None:
                kwargs["view"] = view
            if message.files():
                kwargs["files"] = files_of(message)
            sent = await channel.send(content=content or None, **kwargs)
            return DeliveryResult.sent(str(sent.id))
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as exc:
            result = map_error(exc)
            closed = result.unreachable == DMS_CLOSED and target.kind == "user"
            if closed and await self._left_guild(target.workspace_id, target.ids[0]):
                return replace(result, unreachable=LEFT_WORKSPACE)
            return result
        except LookupError as exc:  # the program's channel can't hold a private thread
            return DeliveryResult("permanent", error=str(exc))


def map_error(exc: Exception) -> DeliveryResult:
    """A Discord failure as rate limited, permanent (user gone, DMs closed) or transient.

    discord.py already waits out 429s and retries 5xx a few times before raising.
    """
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            retry = getattr(exc, "retry_after", None) or 1.0
            return DeliveryResult("rate_limited", retry_after=float(retry), error="429")
        if exc.code in PERMANENT_CODES or exc.status in (400, 403, 404):
            return DeliveryResult(
                "permanent",
                error=f"{exc.status}/{exc.code}",
                unreachable=UNREACHABLE.get(exc.code),
            )
        return DeliveryResult("transient", error=f"{exc.status}/{exc.code}")
    return DeliveryResult("transient", error=type(exc).__name__)
