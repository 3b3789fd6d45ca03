"""The house rules, read from the source with `ast`.

- Each feature's pure rules and Block Kit builders (bot/<feature>/rules*.py and blocks*.py, the kernel's
  too) are pure: no I/O imports, no clock reads (`now` is an argument).
- Only bot/config.py reads the environment, in bot/ and storage/.
- Listener handlers stay short: ack, parse, call a flow.
- The import-linter contracts and mypy's strict override name every pure module and listener.

Each failure names the file and line.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The role is in the module's name: bot/<feature>/rules*.py and blocks*.py are the pure core.
PURE_ROLES = ("rules", "blocks")
PURE = sorted(p for p in ROOT.glob("bot/*/*.py") if p.stem.split("_")[0] in PURE_ROLES)
LISTENERS = sorted(ROOT.glob("bot/*/listeners*.py"))
CONFIG = ROOT / "bot/config.py"
FORBIDDEN_IMPORTS = (
    "slack_sdk",
    "slack_bolt",
    "sqlalchemy",
    "storage",
    "requests",
    "urllib",
    "socket",
    "http",
    "os",
    "bot.deps",
)
# Stored values the rules name too (CaptureKind): standard library only, as the "pure" contract allows.
ALLOWED_STORAGE = "storage.vocabulary"
CLOCK_READS = {
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    "time.time",
    "time.time_ns",
}
ENVIRONMENT_READS = {"environ", "environb", "getenv", "getenvb"}
MAX_HANDLER_LINES = 20


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every module a file imports, absolute; `from bot import deps` yields bot.deps as well as bot."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def is_forbidden(module: str) -> bool:
    if module == ALLOWED_STORAGE or module.startswith(ALLOWED_STORAGE + "."):
        return False
    if any(module == f or module.startswith(f + ".") for f in FORBIDDEN_IMPORTS):
        return True
    # Inside bot/'s packages (features, kernel, outbox, sandbox) only rules and blocks are pure: flows,
    # listeners, presenters, delivery and the emulator are not.
    parts = module.split(".")
    return (
        len(parts) >= 3
        and parts[0] == "bot"
        and (ROOT / "bot" / parts[1]).is_dir()
        and parts[2].split("_")[0] not in PURE_ROLES
    )


def qualified_names(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Dotted names used in a file, with import aliases resolved: `dt.now` -> datetime.datetime.now."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name  # import datetime as dt
                else:
                    head = alias.name.split(".")[0]
                    aliases[head] = head  # import os.path binds os
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name):
            dotted = _dotted(node)
            if dotted:
                head, _, rest = dotted.partition(".")
                resolved = aliases.get(head, head)
                yield node.lineno, f"{resolved}.{rest}" if rest else resolved


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


# ---------------------------------------------------------------- pure core
def test_the_pure_core_is_found():
    assert PURE, "no bot/<feature>/rules*.py or blocks*.py modules: did they move?"
    assert LISTENERS, "no bot/<feature>/listeners*.py modules: did they move?"
    pure = {rel(p) for p in PURE}
    assert {"bot/kernel/rules_text.py", "bot/kernel/blocks.py", "bot/notes/rules_drafting.py"} <= pure


@pytest.mark.parametrize("path", PURE, ids=rel)
def test_rules_and_blocks_import_no_io(path):
    found = [
        f"{rel(path)}:{line} imports {module}"
        for line, module in imported_modules(path, parse(path))
        if is_forbidden(module)
    ]
    assert not found, "rules and blocks stay pure:\n" + "\n".join(found)


@pytest.mark.parametrize("path", PURE, ids=rel)
def test_rules_and_blocks_read_no_clock(path):
    found = sorted(
        {
            f"{rel(path)}:{line} reads the clock ({name}); take `now` as an argument"
            for line, name in qualified_names(parse(path))
            if name in CLOCK_READS
        }
    )
    assert not found, "\n".join(found)


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == contract_id)


def test_the_import_contracts_name_every_pure_module_and_listener():
    # import-linter takes module names, not globs: a new rules, blocks or listeners module must be listed.
    assert sorted(_contract("pure")["source_modules"]) == sorted(module_name(p) for p in PURE)
    assert sorted(_contract("listeners")["forbidden_modules"]) == sorted(module_name(p) for p in LISTENERS)


def test_mypy_is_strict_on_every_pure_module():
    # mypy's per-module overrides take module names too: a new rules or blocks module must be listed.
    overrides = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["overrides"]
    strict = [o for o in overrides if o.get("disallow_untyped_defs")]
    assert len(strict) == 1, "one strict override, naming the pure modules"
    assert sorted(strict[0]["module"]) == sorted(module_name(p) for p in PURE)


# ------------------------------------------------------------------ settings
def test_only_config_reads_the_environment():
    found = []
    for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("storage/**/*.py")]):
        if path == CONFIG:
            continue
        tree = parse(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_READS:
                found.append(f"{rel(path)}:{node.lineno} reads os.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.module == "os":
                found += [
                    f"{rel(path)}:{node.lineno} imports os.{a.name}"
                    for a in node.names
                    if a.name in ENVIRONMENT_READS
                ]
    assert not found, "only bot/config.py reads the environment; use Settings:\n" + "\n".join(found)


# ----------------------------------------------------------------- listeners
@pytest.mark.parametrize("path", LISTENERS, ids=rel)
def test_listener_handlers_stay_short(path):
    found = []
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "register":
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = node.end_lineno - start + 1
            if length > MAX_HANDLER_LINES:
                found.append(
                    f"{rel(path)}:{node.lineno} {node.name} is {length} lines "
                    f"(at most {MAX_HANDLER_LINES}); move the work into a flow"
                )
    assert not found, "\n".join(found)


# ------------------------------------------------ the checks catch what they should
BAD_SERVICE = """
import os
from datetime import datetime as dt, date
import time
from bot import deps
from ..cases import flows
from . import flows_export
from .rules_text import mention
from sqlalchemy.orm import Session

def decide():
    return dt.now(), date.today(), time.time(), os.environ["X"]
"""


def test_the_checks_catch_a_bad_rule_module():
    path = ROOT / "bot/notes/rules_example.py"  # never written: parsed from the string above
    tree = ast.parse(BAD_SERVICE)
    imports = {module for _line, module in imported_modules(path, tree) if is_forbidden(module)}
    assert {"os", "bot.deps", "bot.cases.flows", "bot.notes.flows_export", "sqlalchemy.orm"} <= imports
    assert not {"bot.cases", "bot.notes", "bot.notes.rules_text.mention"} & imports
    names = {name for _line, name in qualified_names(tree)}
    assert {"datetime.datetime.now", "datetime.date.today", "time.time"} <= names & CLOCK_READS


# ---------------------------------------------------------------- module size
MAX_MODULE_LINES = 300
# Data, not logic: the schema's declarations and the Slack payload builders' shapes (and migrations).
DATA_MODULES = {"storage/models.py", "bot/sandbox/payloads.py"}


def test_modules_stay_small():
    """A module over ~300 lines holds more than one idea: split it by idea (issue 13)."""
    sources = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("storage/*.py")]
    too_long = sorted(
        f"{rel(path)}: {lines} lines"
        for path in sources
        if rel(path) not in DATA_MODULES and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    )
    assert too_long == []
