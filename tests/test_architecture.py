"""The pure core stays pure: services and blocks do no I/O and read no clock; only config reads the env."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = sorted([*(ROOT / "bot/services").glob("*.py"), *(ROOT / "bot/blocks").glob("*.py")])
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
    "bot.flows",
    "bot.delivery",
)
CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
}


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module


@pytest.mark.parametrize("path", PURE, ids=lambda p: p.name)
def test_services_and_blocks_import_no_io(path):
    tree = ast.parse(path.read_text())
    for line, module in _imports(tree):
        assert not any(module == f or module.startswith(f + ".") for f in FORBIDDEN_IMPORTS), (
            f"{path.relative_to(ROOT)}:{line} imports {module}"
        )


@pytest.mark.parametrize("path", PURE, ids=lambda p: p.name)
def test_services_and_blocks_read_no_clock(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) not in CLOCK_READS, (
                f"{path.relative_to(ROOT)}:{node.lineno} reads the clock; take `now` as an argument"
            )


def test_only_config_reads_the_environment():
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("storage/**/*.py")]:
        if path.name == "config.py" and path.parent.name == "bot":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} reads the environment; use bot.config")


def test_listener_handlers_stay_short():
    for path in (ROOT / "bot/listeners").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("on_"):
                length = node.end_lineno - node.lineno + 1
                assert length <= 20, f"{path.relative_to(ROOT)}:{node.lineno} {node.name} is {length} lines"
