"""Neutral replies as Block Kit, and user text escaped for Slack's mrkdwn."""

from __future__ import annotations

import re
from typing import Any

from bot.replies import Buttons, Context, Fields, Form, Message, Section
from bot.spans import Span, Text

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
BUTTON_PREFIX = "mentor:"
ACCESSIBILITY_LIMIT = 75  # Block Kit's limit for a button's accessibility_label


def escape(text: str) -> str:
    """Slack's three control characters, so nobody can write ``<!channel>`` or a fake link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_PING_WORD = re.compile(r"(?<![\w@<])@(here|channel|everyone)\b", re.I)


def with_pings(text: Text) -> Text:
    """An admin's ``@here``/``@channel``/``@everyone`` (their own, trusted words only) as the
    mentions Slack pings with; used only for messages an admin allowed to ping.
    """
    return Text(
        tuple(
            Span(_PING_WORD.sub(lambda m: f"<!{m.group(1).lower()}>", s.text), True)
            if s.trusted
            else s
            for s in text.spans
        )
    )


def mrkdwn(text: Text, limit: int = SECTION_LIMIT) -> str:
    """Text as Slack mrkdwn: user spans escaped, clipped to ``limit``."""
    rendered = text.render(escape)
    return rendered if len(rendered) <= limit else rendered[: limit - 1] + "…"


def plain(text: str, limit: int) -> str:
    """Plain text clipped to ``limit`` (Slack's field limits)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object. ``verbatim``: Slack doesn't turn URLs or #channel names that
    people wrote into links (our own links are written as <url|text> and stay links).
    """
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def blocks(message: Message) -> list[dict[str, Any]]:
    """A neutral message as Block Kit blocks."""
    out: list[dict[str, Any]] = []
    buttons = 0
    for part in message.parts:
        if isinstance(part, Section):
            if part.text:
                text = with_pings(part.text) if message.ping else part.text
                out.append({"type": "section", "text": _mrkdwn(mrkdwn(text))})
        elif isinstance(part, Context):
            out.append({"type": "context", "elements": [_mrkdwn(mrkdwn(part.text))]})
        elif isinstance(part, Fields):
            items = [
                _mrkdwn(plain(f"*{escape(label)}*\n{value.render(escape)}", FIELD_LIMIT))
                for label, value in part.items
            ]
            for start in range(0, len(items), FIELDS_PER_SECTION):
                out.append({"type": "section", "fields": items[start : start + FIELDS_PER_SECTION]})
        elif isinstance(part, Buttons):
            elements = []
            for button in part.buttons:
                element: dict[str, Any] = {
                    "type": "button",
                    "text": {"type": "plain_text", "text": plain(button.label, 75)},
                    # what a screen reader says: the label as rendered, in the reader's language
                    "accessibility_label": plain(button.label, ACCESSIBILITY_LIMIT),
                    "action_id": f"{BUTTON_PREFIX}{buttons}",
                    "value": button.command[:2000],
                }
                if button.style != "default":
                    element["style"] = button.style
                elements.append(element)
                buttons += 1
            out.append({"type": "actions", "elements": elements})
    return out[:50]


def fallback(message: Message) -> str:
    """Notification text: the plain rendering, escaped the same way."""
    lines = []
    for part in message.parts:
        if isinstance(part, Section | Context):
            ping = message.ping and isinstance(part, Section)
            lines.append((with_pings(part.text) if ping else part.text).render(escape))
        elif isinstance(part, Fields):
            lines.extend(f"{escape(k)}: {v.render(escape)}" for k, v in part.items)
    return plain("\n".join(lines), 3000)


def modal(form: Form, *, private_metadata: str = "") -> dict[str, Any]:
    """A form as a modal view (``views.open``)."""
    view_blocks: list[dict[str, Any]] = []
    if form.intro:
        view_blocks.append({"type": "section", "text": _mrkdwn(mrkdwn(form.intro))})
    for field in form.fields:
        element: dict[str, Any]
        if field.kind in ("choice", "scale"):
            choices = field.choices or tuple((str(n), str(n)) for n in range(1, 6))
            options = [
                {"text": {"type": "plain_text", "text": plain(label, 75)}, "value": value}
                for value, label in choices
            ]
            element = {"type": "static_select", "action_id": "value", "options": options}
            initial = next((o for o in options if o["value"] == field.initial), None)
            if initial:
                element["initial_option"] = initial
        elif field.kind == "date":
            element = {"type": "datepicker", "action_id": "value"}
            if field.initial:
                element["initial_date"] = field.initial
        else:
            element = {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": field.kind == "multiline",
                "max_length": min(field.max_length, 3000),
            }
            if field.initial:
                element["initial_value"] = field.initial[:3000]
        block: dict[str, Any] = {
            "type": "input",
            "block_id": field.name,
            "optional": not field.required,
            "label": {"type": "plain_text", "text": plain(field.label, 2000)},
            "element": element,
        }
        if field.hint:
            block["hint"] = {"type": "plain_text", "text": plain(field.hint.replace("`", ""), 2000)}
        view_blocks.append(block)
    return {
        "type": "modal",
        "callback_id": f"form:{form.form_id}",
        "title": {"type": "plain_text", "text": plain(form.title, 24)},
        "submit": {"type": "plain_text", "text": plain(form.submit_label, 24)},
        "close": {"type": "plain_text", "text": plain(form.cancel_label, 24)},
        "private_metadata": private_metadata,
        "blocks": view_blocks,
    }


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """Submitted modal state as {field: text}."""
    values: dict[str, str] = {}
    for block_id, actions in (view.get("state", {}).get("values", {}) or {}).items():
        action: dict[str, Any] = actions.get("value") or next(iter(actions.values()), {})
        kind = action.get("type")
        if kind == "static_select":
            selected = action.get("selected_option") or {}
            values[block_id] = selected.get("value", "")
        elif kind == "datepicker":
            values[block_id] = action.get("selected_date") or ""
        else:
            values[block_id] = action.get("value") or ""
    return values
