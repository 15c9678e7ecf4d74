"""docs/RULES.md: one row per requirement id, current with the packs and the tests it names."""

from __future__ import annotations

import ast
import re

import pytest
from django.core.management import CommandError, call_command

from fangkong.policy import coverage
from fangkong.policy.coverage import (
    REPOSITORY,
    RULES_TABLE,
    ids_in,
    named_tests,
    pack_references,
    requirement_list,
    requirements_parse,
    rules_table,
)
from fangkong.policy.packs import packs_all

ROW = re.compile(r"^\| ([A-P]-\d{2}) \|", re.MULTILINE)
NAMED_TEST = re.compile(r"`([\w/.]+\.py)::(\w+)`")


def test_every_requirement_id_has_exactly_one_row():
    rows = ROW.findall(RULES_TABLE.read_text(encoding="utf-8"))

    assert rows == [requirement for requirement, _ in requirement_list()]
    assert len(rows) == len(set(rows)) == 283


def test_the_table_is_current_with_the_packs_and_the_tests():
    assert RULES_TABLE.read_text(encoding="utf-8") == rules_table(), (
        "docs/RULES.md is stale: run `fangkong rules table`"
    )


def test_every_test_the_table_names_exists():
    named = NAMED_TEST.findall(RULES_TABLE.read_text(encoding="utf-8"))

    assert named
    for path, function in named:
        tree = ast.parse((REPOSITORY / path).read_text(encoding="utf-8"))
        functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert function in functions, f"{path}::{function}"


def test_every_id_a_pack_or_a_test_cites_is_a_requirement():
    known = {requirement for requirement, _ in requirement_list()}
    cited = {
        requirement for pack in packs_all().values() for requirement, *_ in pack_references(pack)
    }
    cited |= {
        i for pack in packs_all().values() for entry in pack.out_of_scope for i in ids_in(entry)
    }

    assert cited - known == set()
    assert set(named_tests()) - known == set()


def test_a_requirement_the_packs_leave_out_shows_the_plan_and_its_reason():
    row = next(
        line for line in RULES_TABLE.read_text(encoding="utf-8").splitlines() if "| O-29 |" in line
    )

    assert "| not executed |" in row
    assert "P17: 打击欺诈骗保 — fraud monitoring of the insurance system" in row


def test_requirements_are_read_from_the_bullets_and_the_deadline_table():
    text = (
        "- **A-01** Townships shall each be assigned responsibility. — P01 — 「落实责任制」\n"
        "- **A-06** A school's responsibility chain is:\n"
        "  - first responsible person: the principal;\n"
        "| ID | Trigger → action | Deadline | Plan | Evidence |\n"
        "| G-16 | Daily principal report | **before 10:00 daily** | P11 | 「校长」 |\n"
        "| X-07 | **Boundary semantics** | … | I-14 |\n"
    )

    assert requirements_parse(text) == [
        ("A-01", "Townships shall each be assigned responsibility."),
        ("A-06", "A school's responsibility chain is: first responsible person: the principal"),
        ("G-16", "Daily principal report (before 10:00 daily)"),
    ]


@pytest.mark.parametrize(
    ("entry", "ids"),
    [
        ("C-04 … C-11: 出行限制 — departures", [f"C-{n:02d}" for n in range(4, 12)]),
        ("A-10 … A-12, G-28: 五到位 — readiness", ["A-10", "A-11", "A-12", "G-28"]),
        ("D-01, G-08, X-04: 次密接 12小时内转运", ["D-01", "G-08"]),
        ("本方案未给数值 E-15", []),
    ],
)
def test_a_clause_names_its_ids_before_the_colon(entry, ids):
    assert ids_in(entry) == ids


def test_names_cite_ids_plans_are_skipped_and_p_01_is_the_requirement(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_example.py").write_text(
        "def test_d06_p12_fever_isolates(): ...\n"
        "def test_c21_4_d13_close_contact(): ...\n"
        "def test_x01_c13_p04_the_quarantine_wins(): ...\n"
        "def test_p_01_g29_teachers_return_15_days_ahead(): ...\n"
        "def test_e15_37_3_is_not_a_fever(): ...\n"
        "def test_issue10_f11_a_tampered_unit(): ...\n"
        "def helper_a01(): ...\n",
        encoding="utf-8",
    )

    named = named_tests(tmp_path)

    assert {requirement: len(found) for requirement, found in named.items()} == {
        "D-06": 1,
        "C-21": 1,
        "D-13": 1,
        "C-13": 1,
        "P-01": 1,
        "G-29": 1,
        "E-15": 1,
    }
    assert named["D-06"] == ["tests/test_example.py::test_d06_p12_fever_isolates"]


def test_the_command_writes_the_table_and_check_fails_when_it_is_stale(
    tmp_path, monkeypatch, capsys
):
    # given: the table and the id list in a scratch folder
    table = tmp_path / "RULES.md"
    id_list = tmp_path / "requirements.tsv"
    requirements = tmp_path / "REQUIREMENTS.md"
    requirements.write_text("- **A-01** Townships shall be responsible. — P01\n", encoding="utf-8")
    monkeypatch.setattr(coverage, "RULES_TABLE", table)
    monkeypatch.setattr(coverage, "REQUIREMENT_LIST", id_list)

    # when
    call_command("rules", "table", "--requirements", str(requirements))

    # then
    assert id_list.read_text(encoding="utf-8") == "A-01\tTownships shall be responsible.\n"
    assert "| A-01 | Townships shall be responsible. |" in table.read_text(encoding="utf-8")
    call_command("rules", "table", "--check")
    table.write_text("stale\n", encoding="utf-8")
    with pytest.raises(CommandError, match="RULES.md is stale"):
        call_command("rules", "table", "--check")
    assert "1 requirement ids listed" in capsys.readouterr().out
