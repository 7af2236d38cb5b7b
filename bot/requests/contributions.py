"""What requests for help give a person's export and forget."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.registry import FORGOTTEN, PersonalData, Registry, ReportSection, json_fields
from bot.requests.report import requests_section
from storage import requests as requests_db

REQUEST = ("topic", "details", "urgency", "status", "created_at", "closed_at", "helped")


def register_contributions(registry: Registry) -> None:
    """Contribute a person's requests to their export and forget, and the report's section."""
    registry.personal_data(PersonalData("requests", _export, _words, _blank))
    registry.report_section(ReportSection("requests", requests_section))


def _export(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    rows = requests_db.of_members(session=session, member_ids=member_ids)
    return [json_fields(r, REQUEST) for r in rows]


def _words(session: Session, member_ids: list[int]) -> list[str]:
    found: list[str] = []
    for request in requests_db.of_members(session=session, member_ids=member_ids):
        found += [request.topic, request.details]
    return found


def _blank(session: Session, member_ids: list[int]) -> None:
    for request in requests_db.of_members(session=session, member_ids=member_ids):
        request.topic, request.details = FORGOTTEN, ""
        session.add(request)
