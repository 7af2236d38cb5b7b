"""Who owns which query: the shared module holds people, programs and members only; each
capability's queries sit in a storage module named for it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import storage

STORAGE = Path(storage.__file__).parent
SHARED_MODELS = {"Member", "MemberStatus", "Person", "Program"}


def _models_read(module: str) -> set[str]:
    tree = ast.parse((STORAGE / f"{module}.py").read_text(encoding="utf-8"))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "storage.models"
        for alias in node.names
    }


def test_the_shared_module_reads_only_people_programs_and_members():
    """storage/repo.py names no capability's table: pairs, check-ins, goals and the rest live
    in their own modules."""
    assert _models_read("repo") <= SHARED_MODELS


def test_each_capability_with_answers_has_its_own_storage_module():
    """Goals, feedback and surveys each have a storage module reading their own table, and the
    grab-bag ``responses`` module is gone."""
    owners = {"goals": "Goal", "feedback": "Feedback", "surveys": "SurveyResponse"}
    for module, model in owners.items():
        assert model in _models_read(module), module
    assert not (STORAGE / "responses.py").exists()
