"""Features use each other only through a small, declared public surface.

Each feature package declares, in its `__init__.py`, the names other features may use:

    PUBLIC = {"flows_schedule": ("plan_case", "plan_next"), ...}

(data only: the package imports nothing, so declaring a surface can never create an import cycle).
This test reads every feature's modules with `ast` and fails when a feature uses another's name that
is not declared, when a declared name does not exist, or when nobody outside uses it any more: the
surface stays true and small. The kernel, the outbox and the sandbox are shared infrastructure, not
features, and are not checked here (import-linter's contracts keep them from importing features).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = {"kernel", "outbox", "sandbox"}
FEATURES = sorted(
    p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists() and p.name not in SHARED
)

Use = tuple[str, str, str]  # (provider module, e.g. "reminders.flows_schedule", name, user file)


def feature_of(module: str, features: list[str]) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[0] == "bot" and parts[1] in features else None


def cross_feature_uses(root: Path = ROOT, features: list[str] = FEATURES) -> list[Use]:
    uses: list[Use] = []
    for feature in features:
        for path in sorted((root / "bot" / feature).glob("*.py")):
            uses += _uses_in(path, feature, root, features)
    return uses


def _uses_in(path: Path, feature: str, root: Path, features: list[str]) -> list[Use]:
    tree = ast.parse(path.read_text(), filename=str(path))
    where = str(path.relative_to(root))
    uses: list[Use] = []
    aliases: dict[str, str] = {}  # a local name bound to another feature's module -> "other.module"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            other = feature_of(node.module, features)
            if other is None or other == feature:
                continue
            parts = node.module.split(".")
            for alias in node.names:
                if len(parts) == 2 and (root / "bot" / other / f"{alias.name}.py").exists():
                    aliases[alias.asname or alias.name] = f"{other}.{alias.name}"  # from bot.x import flows
                elif len(parts) == 3:
                    uses.append((f"{other}.{parts[2]}", alias.name, where))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                other, parts = feature_of(alias.name, features), alias.name.split(".")
                if other and other != feature and len(parts) == 3:
                    aliases[alias.asname or alias.name] = f"{other}.{parts[2]}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            uses.append((aliases[node.value.id], node.attr, where))
    return uses


def declared(root: Path = ROOT, features: list[str] = FEATURES) -> dict[str, set[str]]:
    surface: dict[str, set[str]] = {}
    for feature in features:
        init = root / "bot" / feature / "__init__.py"
        tree = ast.parse(init.read_text(), filename=str(init))
        public: dict[str, tuple[str, ...]] = {}
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if any(getattr(t, "id", None) == "PUBLIC" for t in targets) and node.value is not None:
                public = ast.literal_eval(node.value)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                raise AssertionError(f"{init.relative_to(root)} imports something: keep it data only")
        for module, names in public.items():
            surface[f"{feature}.{module}"] = set(names)
    return surface


def defined_names(module: str) -> set[str]:
    feature, name = module.split(".")
    path = ROOT / "bot" / feature / f"{name}.py"
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    return names


def test_the_features_are_found():
    assert {"cases", "discussions", "notes", "reminders"} <= set(FEATURES)
    assert cross_feature_uses(), "no feature uses another: has the scan stopped finding imports?"


def test_a_feature_uses_another_only_through_its_declared_surface():
    surface = declared()
    undeclared = sorted(
        f"{where} uses bot.{module}.{name}, not in bot/{module.split('.')[0]}/__init__.py PUBLIC"
        for module, name, where in cross_feature_uses()
        if name not in surface.get(module, set())
    )
    assert undeclared == []


def test_every_declared_name_exists_and_is_used_by_another_feature():
    used: dict[str, set[str]] = defaultdict(set)
    for module, name, _ in cross_feature_uses():
        used[module].add(name)
    problems = []
    for module, names in declared().items():
        feature, short = module.split(".")
        if not (ROOT / "bot" / feature / f"{short}.py").exists():
            problems.append(f"bot/{feature}/__init__.py declares {short}, which is not a module")
            continue
        problems += [f"bot.{module}.{n} is declared but not defined" for n in names - defined_names(module)]
        problems += [
            f"bot.{module}.{n} is declared but no other feature uses it" for n in names - used[module]
        ]
    assert sorted(problems) == []


def test_the_check_catches_an_undeclared_use(tmp_path):
    """The scan itself can fail: a feature reaching into another's flows is reported."""
    for feature in ("alpha", "beta"):
        (tmp_path / "bot" / feature).mkdir(parents=True)
        (tmp_path / "bot" / feature / "__init__.py").write_text("PUBLIC = {}\n")
    (tmp_path / "bot" / "alpha" / "flows.py").write_text("def helper():\n    pass\n")
    (tmp_path / "bot" / "beta" / "flows.py").write_text(
        "from bot.alpha import flows\nfrom bot.alpha.flows import helper\n\nflows.helper()\n"
    )
    uses = cross_feature_uses(tmp_path, ["alpha", "beta"])
    assert sorted(uses) == [("alpha.flows", "helper", "bot/beta/flows.py")] * 2
    assert declared(tmp_path, ["alpha", "beta"]) == {}
