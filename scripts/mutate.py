"""`make mutate`: mutation testing of the modules that decide things (docs/testing.md).

Each deciding module is mutated by mutmut against its own tests only: the driver gives
every target a work folder under var/mutate/<target>/ with a pyproject.toml of its own
(the project's, plus a [tool.mutmut] section naming that module and those tests), and
mutmut copies the code into that folder's mutants/ — the working tree is never touched,
so other people can keep working and testing in it meanwhile.

Then it prints, per module, the mutants made, killed and survived, and names every
survivor with its diff. A survivor named in docs/testing.md (the table of equivalent
mutants) is accepted; any other one makes the run fail.

    make mutate                                 every target, two mutants at a time
    make mutate MUTATE_ARGS="rating-engine"     one target
    make mutate MUTATE_ARGS="--max-children 1 audit-chain"
    make mutate MUTATE_ARGS="--list"            the targets and their tests

It runs on SQLite (mutmut forks one process per mutant; tests/mutants_plugin.py gives
each its own test database). It is too slow for every CI run: run it on demand, after
changing a deciding module or its tests, and record the result in docs/testing.md.
"""

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "mutate"
MUTMUT = Path(sys.executable).with_name("mutmut")
DOC = ROOT / "docs" / "testing.md"
#: What a mutant's tests read: the code, the tests, and docs/ (the permission matrix
#: test reads the table of docs/permissions.md).
LINKED = ("reformledger", "tests", "conftest.py", "docs")
#: pytest's arguments in every mutant's run: the plugin that gives each forked process
#: its own test database, no xdist, and Django found by its settings module alone
#: (pytest-django would otherwise put the project's manage.py folder, the unmutated
#: code, first on sys.path).
PYTEST_ARGS = ("-p", "tests.mutants_plugin", "-p", "no:xdist", "-o", "django_find_project=false")

#: mutmut's exit codes, as mutmut.stats names them.
KILLED, SURVIVED = {1, 3}, {0}
STATUS = {None: "not checked", 5: "no tests", 33: "no tests", 34: "skipped", 36: "timeout"}
STATUS |= dict.fromkeys((24, -24, 152, 255), "timeout")


@dataclass(frozen=True)
class Target:
    """One deciding module: its file, the functions that decide (glob; all by default),
    and the tests that pin them."""

    name: str
    path: str
    tests: tuple[str, ...]
    functions: tuple[str, ...] = ("*",)
    why: str = ""
    extra: tuple[str, ...] = field(default=())

    @property
    def module(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".")

    def in_scope(self, key: str) -> bool:
        """Whether mutant `key` (module.x_function__mutmut_N) is in one of the functions."""
        function = key.removeprefix(self.module + ".").partition("__mutmut_")[0]
        if function.startswith("xǁ"):  # a method: xǁClassǁname
            function = function.removeprefix("xǁ").replace("ǁ", ".")
        else:
            function = function.removeprefix("x_")
        return any(fnmatch.fnmatchcase(function, pattern) for pattern in self.functions)


LEDGER_TESTS = "reformledger/ledger/tests/"
TARGETS = (
    Target(
        "rating-engine",
        "reformledger/ledger/rating_engine.py",
        (LEDGER_TESTS + "test_rating_engine.py", LEDGER_TESTS + "test_ratings.py"),
    ),
    Target(
        "ledger-permissions",
        "reformledger/ledger/permissions.py",
        (
            LEDGER_TESTS + "test_permissions.py",
            LEDGER_TESTS + "test_cross_office.py",
            LEDGER_TESTS + "test_withdraw.py",
            LEDGER_TESTS + "test_staleness_remind.py",
        ),
    ),
    Target(
        "supervision-permissions",
        "reformledger/supervision/permissions.py",
        (
            "reformledger/supervision/tests/test_permissions.py",
            "reformledger/supervision/tests/test_drafts.py",
        ),
    ),
    Target(
        "pilots-permissions",
        "reformledger/pilots/permissions.py",
        (
            "reformledger/pilots/tests/test_pilot_permissions.py",
            "reformledger/pilots/tests/test_innovation_permissions.py",
        ),
    ),
    Target(
        "indicators-permissions",
        "reformledger/indicators/permissions.py",
        ("reformledger/indicators/tests/test_permissions.py",),
    ),
    Target(
        "indicator-tracking",
        "reformledger/indicators/tracking.py",
        ("reformledger/indicators/tests/test_tracking.py",),
    ),
    Target(
        "orgs-permissions",
        "reformledger/orgs/permissions.py",
        ("reformledger/orgs/tests/test_permissions.py", "reformledger/orgs/tests/test_aliases.py"),
    ),
    Target(
        "audit-permissions",
        "reformledger/audit/permissions.py",
        ("reformledger/audit/tests/test_pages.py", "reformledger/audit/tests/test_api.py"),
    ),
    Target(
        "accounts-permissions",
        "reformledger/accounts/permissions.py",
        (
            "reformledger/accounts/tests/test_security_admin.py",
            "reformledger/accounts/tests/test_otp.py",
        ),
    ),
    Target(
        "audit-chain-hashing",
        "reformledger/audit/services.py",
        (
            "reformledger/audit/tests/test_canonical.py",
            "reformledger/audit/tests/test_hash.py",
            "reformledger/audit/tests/test_chain.py",
            "reformledger/audit/tests/test_verify.py",
        ),
        functions=("sm3_available", "chain_algorithm", "digest", "canonical_row", "canonical"),
        why="the canonical form and the hash; `record` is decorated, which mutmut leaves alone",
    ),
    Target(
        "audit-chain-verification",
        "reformledger/audit/selectors.py",
        (
            "reformledger/audit/tests/test_canonical.py",
            "reformledger/audit/tests/test_chain.py",
            "reformledger/audit/tests/test_verify.py",
            "reformledger/audit/tests/test_hash.py",
        ),
        functions=("record_holds", "Head.__str__", "chain_head", "_problem", "walk_chain"),
        why="the walk of the chain and the head kept outside; not the auditor's search",
    ),
    Target(
        "task-list-change-planner",
        "reformledger/ledger/documents/task_list_changes.py",
        (
            LEDGER_TESTS + "test_task_list_import.py",
            LEDGER_TESTS + "test_task_list_preview.py",
            LEDGER_TESTS + "test_work_points.py",
        ),
        functions=("_stale", "_changed", "_give_codes", "_milestone_row", "_plans_in_force"),
        why="what a row changes: a stale row, a field changed, the code a row gets, the "
        "plan compared; not the name matching and error wording around them",
    ),
)
#: notifications/permissions.py holds no code (a notice is its recipient's alone,
#: enforced by the queryset `notifications_of`): nothing to mutate.


def _pyproject(target: Target) -> str:
    project = (ROOT / "pyproject.toml").read_text()
    if "[tool.mutmut]" in project:
        sys.exit("pyproject.toml has a [tool.mutmut] section: the driver writes its own")

    def toml_list(items) -> str:
        return "[" + ", ".join(json.dumps(str(i)) for i in items) + "]"

    return project + "\n".join(
        [
            "",
            "# Written by scripts/mutate.py for this target only.",
            "[tool.mutmut]",
            f"source_paths = {toml_list(['reformledger'])}",
            f"only_mutate = {toml_list([target.path])}",
            f"also_copy = {toml_list(['conftest.py', 'docs'])}",
            f"pytest_add_cli_args_test_selection = {toml_list(target.tests)}",
            f"pytest_add_cli_args = {toml_list(PYTEST_ARGS)}",
            "use_git_change_detection = false",
            "use_setproctitle = false",
            "",
        ]
    )


def _prepare(target: Target) -> Path:
    """A fresh work folder: links to the code and tests, and the target's pyproject."""
    missing = [t for t in target.tests if not (ROOT / t.split("::")[0]).exists()]
    if missing:
        sys.exit(f"{target.name}: tests not found: {', '.join(missing)}")
    folder = WORK / target.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in LINKED:
        (folder / name).symlink_to(ROOT / name)
    (folder / "pyproject.toml").write_text(_pyproject(target))
    return folder


def _results(folder: Path, target: Target) -> dict[str, int | None]:
    meta = folder / "mutants" / (target.path + ".meta")
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {key: code for key, code in codes.items() if target.in_scope(key)}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RL_REQUIRE_ALL")}
    env.update(DJANGO_SETTINGS_MODULE="reformledger.config.settings", NO_COLOR="1")
    return env


def _show(folder: Path, key: str) -> str:
    shown = subprocess.run(  # noqa: S603 - our own venv's mutmut, in our own folder
        [str(MUTMUT), "show", key],
        cwd=folder,
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    lines = [line for line in shown.stdout.splitlines() if line.startswith(("-", "+"))]
    return "\n".join(f"        {line}" for line in lines if not line.startswith(("---", "+++")))


def _mangled(function: str) -> str:
    """mutmut's name of a function (x_name) or method (xǁClassǁname); "*" for all."""
    if function == "*":
        return "x*"
    if "." in function:
        return "xǁ" + function.replace(".", "ǁ")
    return "x_" + function


def _accepted() -> set[str]:
    """Mutant names docs/testing.md accepts as equivalent (in its table of them)."""
    return set(re.findall(r"`(reformledger\.[\w.ǁ]+__mutmut_\d+)`", DOC.read_text()))


def run(target: Target, max_children: int) -> dict:
    folder = _prepare(target)
    print(f"\n== {target.name}: {target.path} against {len(target.tests)} test files", flush=True)
    started = time.monotonic()
    patterns = [f"{target.module}.{_mangled(f)}__mutmut_*" for f in target.functions]
    log = folder / "mutmut.log"
    with log.open("w") as out:
        done = subprocess.run(  # noqa: S603 - our own venv's mutmut, in our own folder
            [str(MUTMUT), "run", "--max-children", str(max_children), *patterns],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(),
            check=False,
        )
    codes = _results(folder, target)
    minutes = (time.monotonic() - started) / 60
    if done.returncode != 0 or not codes:
        tail = log.read_text(errors="replace")[-3000:]
        print(f"   mutmut failed (exit {done.returncode}); the end of {log}:\n{tail}")
        return {"target": target.name, "error": True}
    killed = sorted(k for k, c in codes.items() if c in KILLED)
    survived = sorted(k for k, c in codes.items() if c in SURVIVED)
    other = {k: STATUS.get(c, "suspicious") for k, c in codes.items() if c not in KILLED | SURVIVED}
    accepted = _accepted()
    new = [k for k in survived if k not in accepted]
    print(
        f"   {len(codes)} mutants: {len(killed)} killed, {len(survived)} survived "
        f"({len(survived) - len(new)} accepted as equivalent, {len(new)} not), "
        f"{len(other)} other — {minutes:.1f} min"
    )
    for key in survived:
        mark = "equivalent (docs/testing.md)" if key in accepted else "SURVIVED"
        print(f"   {mark}: {key}\n{_show(folder, key)}")
    for key, status in sorted(other.items()):
        print(f"   {status.upper()}: {key}\n{_show(folder, key)}")
    return {
        "target": target.name,
        "path": target.path,
        "made": len(codes),
        "killed": len(killed),
        "survived": survived,
        "new": new,
        "other": other,
        "minutes": round(minutes, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="target names (default: all)")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="list the targets and stop")
    args = parser.parse_args(argv)
    by_name = {t.name: t for t in TARGETS}
    if args.list:
        for t in TARGETS:
            print(f"{t.name}: {t.path} ({', '.join(t.functions)})")
            for test in t.tests:
                print(f"    {test}")
        return 0
    unknown = [n for n in args.targets if n not in by_name]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; --list names them")
    chosen = [by_name[n] for n in args.targets] or list(TARGETS)
    tomllib.loads((ROOT / "pyproject.toml").read_text())  # fail early on a broken file
    summaries = [run(t, args.max_children) for t in chosen]
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "last.json").write_text(json.dumps(summaries, indent=2, ensure_ascii=False))
    print("\n== mutation testing: per module")
    print(f"   {'target':<28} {'made':>5} {'killed':>7} {'survived':>9} {'new':>4} {'other':>6}")
    failed = False
    for s in summaries:
        if s.get("error"):
            print(f"   {s['target']:<28} mutmut failed")
            failed = True
            continue
        print(
            f"   {s['target']:<28} {s['made']:>5} {s['killed']:>7} {len(s['survived']):>9} "
            f"{len(s['new']):>4} {len(s['other']):>6}"
        )
        failed |= bool(s["new"] or s["other"])
    print(f"   (summary in {WORK / 'last.json'}; each target's log in its folder)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
