"""The coverage table (docs/RULES.md): each requirement id, what executes it or why nothing does.

The ids and their one-line titles are read once from REQUIREMENTS.md (beside the repository, not
in it) into ``docs/requirements.tsv``; the table is built from that list, the packs (a rule's
``clause`` names the ids it implements, ``out_of_scope`` the ids left out and why) and the tests,
whose function names cite ids (``test_c10_…``, ``test_g01_g09_d16_…``). ``fangkong rules table``
writes it; ``fangkong/policy/tests/test_rules_table.py`` fails when it is stale.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path
from typing import Any

from fangkong.policy.packs import POLICIES_DIR, Pack, packs_all

REPOSITORY = POLICIES_DIR.parent
REQUIREMENT_LIST = REPOSITORY / "docs" / "requirements.tsv"
RULES_TABLE = REPOSITORY / "docs" / "RULES.md"
TEST_FILES = ("fangkong/**/tests/**/test_*.py", "tests/**/test_*.py")

ID = re.compile(r"\b([A-P])-(\d{2})\b")
# "C-04 … C-11", "A-10 ... A-12", "G-01..G-23": every id between the two, both included.
ID_RANGE = re.compile(r"\b([A-P])-(\d{2})\s*(?:…|\.\.\.?)\s*([A-P])-(\d{2})\b")
BULLET = re.compile(r"^- \*\*([A-P]-\d{2})\*\*\s*(.*)$")
TABLE_ROW = re.compile(r"^\|\s*([A-P]-\d{2})\s*\|([^|]*)\|([^|]*)\|")
TITLE_LENGTH = 110
# Pack sections that show a rule on the plan pages without the engine acting on it.
SHOWN_ONLY = {"approvals": "approval chain", "services": "service mode"}


def _title(text: str) -> str:
    text = text.replace("**", "").split(" — ")[0].strip().rstrip(":：;").strip()
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


def requirements_parse(text: str) -> list[tuple[str, str]]:
    """(id, one-line title) of every requirement of REQUIREMENTS.md, in the file's order: the
    bullets ``- **A-04** …`` and the rows ``| G-01 | trigger | deadline |`` of the G table."""
    found: list[tuple[str, str]] = []
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if bullet := BULLET.match(line):
            head = bullet[2].rstrip()
            if head.endswith(":"):  # the title goes on in the sub-bullets below
                items = takewhile(
                    lambda following: following.startswith("  - "), lines[number + 1 :]
                )
                head += " " + "; ".join(item.removeprefix("  - ").rstrip(";.") for item in items)
            found.append((bullet[1], _title(head)))
        elif row := TABLE_ROW.match(line):
            found.append((row[1], _title(f"{row[2].strip()} ({row[3].strip()})")))
    return found


def requirement_list_write(requirements: Path) -> int:
    """Refresh the checked-in id list from REQUIREMENTS.md; the number of ids."""
    found = requirements_parse(requirements.read_text(encoding="utf-8"))
    REQUIREMENT_LIST.write_text("".join(f"{i}\t{title}\n" for i, title in found), encoding="utf-8")
    return len(found)


def requirement_list() -> list[tuple[str, str]]:
    lines = REQUIREMENT_LIST.read_text(encoding="utf-8").splitlines()
    return [(line.split("\t", 1)[0], line.split("\t", 1)[1]) for line in lines if line]


def ids_in(text: str) -> list[str]:
    """The requirement ids a clause or an ``out_of_scope`` entry names before its first colon."""
    head = text.split(":", 1)[0] if ":" in text else ""
    head = ID_RANGE.sub(_expand, head)
    return list(dict.fromkeys(f"{m[1]}-{m[2]}" for m in ID.finditer(head)))


def _expand(match: re.Match[str]) -> str:
    if match[1] != match[3]:
        return match[0]
    numbers = range(int(match[2]), int(match[4]) + 1)
    return ", ".join(f"{match[1]}-{n:02d}" for n in numbers)


def _clauses(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["clause"]] if isinstance(value.get("clause"), str) else []
        return own + [c for v in value.values() for c in _clauses(v)]
    if isinstance(value, list):
        return [c for v in value for c in _clauses(v)]
    return []


def pack_references(pack: Pack) -> list[tuple[str, str, str]]:
    """(id, section, element) for every id a clause of the pack names: ``arrival_rules``,
    ``inbound-traveller``; a section of one element (``temperature``) is its own element."""
    found = []
    data = pack.model_dump(mode="json")
    for section, value in data.items():
        if section in ("out_of_scope", "source"):
            continue
        elements = value if isinstance(value, list) else [value]
        for element in elements:
            name = element.get("id", section) if isinstance(element, dict) else section
            for clause in _clauses(element):
                found += [(i, section, name) for i in ids_in(clause)]
    return list(dict.fromkeys(found))


def named_tests(root: Path = REPOSITORY) -> dict[str, list[str]]:
    """``path::function`` of every test function, by the requirement ids its name cites.

    The ids are the name's leading tokens after ``test_``: ``c10`` is C-10; a plan (``p12``) or a
    conflict (``x07``) may stand among them, and a sub-item number (``c21_4``) after an id. A
    requirement of domain P is written ``p_01``, since ``p01`` is the plan P01 (STYLE.md).
    """
    named: dict[str, list[str]] = defaultdict(list)
    paths = sorted({p for pattern in TEST_FILES for p in root.glob(pattern)})
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                where = f"{path.relative_to(root).as_posix()}::{node.name}"
                for requirement in _cited(node.name):
                    named[requirement].append(where)
    return named


def _cited(name: str) -> list[str]:
    tokens = name.removeprefix("test_").split("_")
    cited: list[str] = []
    position = 0
    while position < len(tokens):
        part = tokens[position]
        following = tokens[position + 1] if position + 1 < len(tokens) else ""
        if part == "p" and re.fullmatch(r"\d{2}", following):
            cited.append(f"P-{following}")
            position += 2
            continue
        if re.fullmatch(r"[a-o]\d{2}", part):
            cited.append(f"{part[0].upper()}-{part[1:]}")
        elif not (re.fullmatch(r"[px]\d{2}", part) or (cited and re.fullmatch(r"\d", part))):
            break
        position += 1
    return cited


@dataclass
class Row:
    id: str
    title: str
    executed_by: list[str] = field(default_factory=list)
    shown_by: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.executed_by or self.tests:
            return "executed" + (" in part" if self.reasons else "")
        if self.shown_by:
            return "shown, not executed"
        return "not executed" if self.reasons else "no reason given"


def coverage_rows(
    requirements: list[tuple[str, str]], packs: dict[str, Pack], tests: dict[str, list[str]]
) -> list[Row]:
    rows = {i: Row(i, title) for i, title in requirements}
    for pack in packs.values():
        plan = pack.source.plan
        for requirement, section, element in pack_references(pack):
            if requirement not in rows:
                continue
            if section in SHOWN_ONLY:
                rows[requirement].shown_by.append(f"{plan} {SHOWN_ONLY[section]} `{element}`")
            else:
                rows[requirement].executed_by.append(f"{plan} {section} `{element}`")
        for entry in pack.out_of_scope:
            reason = entry.split(":", 1)[1].strip()
            for requirement in ids_in(entry):
                if requirement in rows:
                    rows[requirement].reasons.append(f"{plan}: {reason}")
    for requirement, names in tests.items():
        if requirement in rows:
            rows[requirement].tests = names
            if not rows[requirement].executed_by:
                modules = sorted({_module(name) for name in names} - {""})
                rows[requirement].executed_by = [f"`{m}`" for m in modules]
    return list(rows.values())


def _module(test: str) -> str:
    """The app a test lives in (``fangkong/monitoring``), taken as the module that executes it."""
    parts = test.split("::")[0].split("/")
    return "/".join(parts[:2]) if parts[0] == "fangkong" else ""


def _cell(items: list[str]) -> str:
    return "<br>".join(item.replace("|", "\\|") for item in items) or "—"


def rules_table(
    requirements: list[tuple[str, str]] | None = None,
    packs: dict[str, Pack] | None = None,
    tests: dict[str, list[str]] | None = None,
) -> str:
    rows = coverage_rows(
        requirement_list() if requirements is None else requirements,
        packs_all() if packs is None else packs,
        named_tests() if tests is None else tests,
    )
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    summary = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
    lines = [
        "# Requirements and what executes them",
        "",
        "Generated by `fangkong rules table` from `docs/requirements.tsv` (the ids of",
        "REQUIREMENTS.md), the packs in `policies/` and the test names; do not edit by hand.",
        "A rule executes an id when its `clause` names it; a test covers an id when its name",
        "cites it (`test_c10_…`); the reason for an id not executed is the pack's `out_of_scope`",
        "entry. An approval chain or a service mode is shown on the plan pages; it is enforced",
        "where a test of the app that walks it cites the id (leave requests: `fangkong/movement`).",
        "",
        f"{len(rows)} requirements — {summary}.",
        "",
        "| ID | Requirement | Status | Executed by | Tests | Not executed: reason |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.id} | {_cell([row.title])} | {row.status} "
            f"| {_cell(row.executed_by + row.shown_by)} "
            f"| {_cell([f'`{name}`' for name in row.tests])} | {_cell(row.reasons)} |"
        )
    return "\n".join(lines) + "\n"
