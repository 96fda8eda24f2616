"""The floors of the building hold: the import-linter contracts in pyproject.toml keep
every app above the apps it imports, and no two apps import each other.

The contracts run in `make lint` too; here they are also shown to bite: the same
check on a copy of the code with one forbidden import (the unit tree reaching up
into the ledger) fails and names it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own console script on our own tree
        [str(LINT), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT / "reformledger", tree / "reformledger", ignore=shutil.ignore_patterns("*.pyc")
    )
    shutil.copy(ROOT / "pyproject.toml", tree)
    return tree


def test_the_apps_keep_their_layers_and_form_no_cycle(tmp_path):
    result = _lint(_copy(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Apps stand in layers KEPT" in result.stdout
    assert "No cycle between apps KEPT" in result.stdout


def test_an_import_from_the_unit_tree_up_into_the_ledger_is_refused(tmp_path):
    tree = _copy(tmp_path)
    with open(tree / "reformledger" / "orgs" / "selectors.py", "a") as f:
        f.write("\nfrom reformledger.ledger import models as _ledger  # noqa: E402\n")

    result = _lint(tree)

    assert result.returncode != 0
    assert "reformledger.orgs is not allowed to import reformledger.ledger" in result.stdout
    assert "reformledger.orgs.selectors -> reformledger.ledger.models" in result.stdout
    assert "No cycle between apps BROKEN" in result.stdout


def test_a_bottom_floor_importing_a_domain_app_is_refused(tmp_path):
    tree = _copy(tmp_path)
    with open(tree / "reformledger" / "exchange" / "parsing.py", "a") as f:
        f.write("\nfrom reformledger.orgs import models as _orgs  # noqa: E402\n")

    result = _lint(tree)

    assert result.returncode != 0
    assert "reformledger.exchange is not allowed to import reformledger.orgs" in result.stdout
