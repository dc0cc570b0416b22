"""Every promise of the policy (P1–P21) is proved by at least one tagged test."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

PROMISES = {f"P{n}" for n in range(1, 22)}


def _tagged_promises() -> set[str]:
    tagged: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "promise"
            ):
                tagged |= {
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                }
    return tagged


def test_every_promise_has_a_test() -> None:
    assert sorted(PROMISES - _tagged_promises(), key=lambda p: int(p[1:])) == []


def test_no_test_claims_a_promise_that_does_not_exist() -> None:
    assert sorted(_tagged_promises() - PROMISES) == []
