"""docs/security.md maps each MLPS level-3 clause to the tests that prove it: every row
must name a test, and every test it names must exist (make test then runs it)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"
TEST_ID = re.compile(r"`([\w/.-]+\.py)::(\w+)(?:\[[^\]`]*\])?`")


def _rows() -> list[str]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    return [ln for ln in lines if ln.startswith("| ") and not ln.startswith(("| clause", "| ---"))]


def test_every_row_of_the_security_table_names_a_test():
    rows = _rows()
    assert len(rows) > 30
    bare = [row.split("|")[1].strip() for row in rows if not TEST_ID.search(row)]
    assert bare == []


def test_every_test_the_security_table_names_exists():
    missing = []
    for row in _rows():
        for path, name in TEST_ID.findall(row):
            source = ROOT / path
            if not source.is_file() or not re.search(
                rf"^\s*(async )?def {name}\(", source.read_text(encoding="utf-8"), re.M
            ):
                missing.append(f"{path}::{name}")
    assert missing == []
