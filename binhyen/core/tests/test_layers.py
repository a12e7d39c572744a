"""The layer order of docs/architecture.md, enforced.

A module may import modules of its own layer and of the layers below it, never above.
Interfaces (views, the API, forms, admin, template tags, commands, tasks, app wiring) sit
above every domain layer; the demo sits on top of everything. Imports inside function
bodies are allowed only where a `# deferred: <why>` comment says why (or in an app's
`ready()`, where Django wants them). Everything is read with `ast`: nothing is imported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.utils.module_loading import import_string

from binhyen.cases.services.lifecycle import REACTIONS

ROOT = Path(__file__).resolve().parents[3]  # the repository (binhyen/ lives here)

# Bottom to top. Within a layer, modules are named by prefix; the longest prefix wins.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("lib", ("binhyen.lib",)),
    ("core", ("binhyen.core", "binhyen.settings", "binhyen.formats", "binhyen.test_settings")),
    ("units", ("binhyen.units",)),
    ("accounts", ("binhyen.accounts",)),
    ("records", ("binhyen.audit", "binhyen.live")),
    ("staff", ("binhyen.accounts.services",)),
    ("vault store", ("binhyen.vault.models", "binhyen.vault.store", "binhyen.vault.rotation")),
    ("pages", ("binhyen.channels.models", "binhyen.channels.services")),
    ("cases", ("binhyen.cases",)),
    ("stages", ("binhyen.clocks", "binhyen.triage", "binhyen.vault", "binhyen.knowledge")),
    ("duty", ("binhyen.duty",)),
    ("monitoring", ("binhyen.monitoring",)),
    ("doors", ("binhyen.tips", "binhyen.channels")),
    ("gateways", ("binhyen.open311", "binhyen.simulator")),
    ("interfaces", ("binhyen.api", "binhyen.urls", "binhyen.wsgi", "binhyen.asgi")),
    ("tools", ("binhyen.testing", "binhyen.fuzzing", "binhyen.cli", "binhyen.conftest")),
    ("demo", ("binhyen.demo",)),
]
# Module names (a path segment) that make a module an interface of its app.
INTERFACE_PARTS = {
    "views",
    "urls",
    "urls_console",
    "api",
    "admin",
    "forms",
    "templatetags",
    "management",
    "tasks",
    "apps",
    "exports",
}
RANK = {name: i for i, (name, _) in enumerate(LAYERS)}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    in_app = module.startswith("binhyen.") and not module.startswith("binhyen.demo")
    if in_app and any(p in INTERFACE_PARTS for p in parts[2:]):
        return "interfaces"
    best: tuple[int, str] | None = None
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), name)
    return best[1] if best else None


@dataclass(frozen=True)
class Finding:
    module: str
    line: int
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}: {self.why}"


def _function_imports(tree: ast.Module) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Import | ast.ImportFrom):
                    inside.add(id(sub))
    return inside


def _in_ready(tree: ast.Module) -> set[int]:
    ready: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "ready":
            ready |= {id(sub) for sub in ast.walk(node)}
    return ready


def _explained(lines: list[str], lineno: int) -> bool:
    """A `# deferred: why` comment on the line, or above its block of imports."""
    if "# deferred:" in lines[lineno - 1]:
        return True
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith(("from ", "import ", ")")):
        i -= 1
    while i >= 0 and lines[i].strip().startswith("#"):
        if "deferred:" in lines[i]:
            return True
        i -= 1
    return False


def check_source(module: str, source: str) -> list[Finding]:
    """Every layer violation and unexplained in-function import in one module's source."""
    tree = ast.parse(source)
    lines = source.splitlines()
    inside, ready = _function_imports(tree), _in_ready(tree)
    own = layer_of(module)
    findings = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            # `from binhyen.vault import store` imports binhyen.vault.store
            targets = [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        hidden = id(node) in inside and id(node) not in ready
        if hidden and not _explained(lines, node.lineno):
            findings.append(Finding(module, node.lineno, targets[0], "import inside a function"))
        for target in targets:
            theirs = layer_of(target)
            if own is None or theirs is None:
                continue
            if RANK[theirs] > RANK[own]:
                findings.append(
                    Finding(module, node.lineno, target, f"layer {own!r} below {theirs!r}")
                )
    return findings


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted((ROOT / "binhyen").rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts or path.name == "conftest.py":
            continue
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        found.append((module, path))
    return found


def test_every_module_has_a_layer():
    assert len(_modules()) > 150  # the checker reads the real tree
    missing = [m for m, _ in _modules() if layer_of(m) is None and m != "binhyen"]
    assert missing == []


def test_imports_go_down_the_layers_and_none_hide_in_functions():
    findings = [f for m, p in _modules() for f in check_source(m, p.read_text())]
    assert [str(f) for f in findings] == []


def test_an_upward_import_is_refused():
    source = "from binhyen.duty.services import alert_raise\n"
    (finding,) = check_source("binhyen.cases.services.workflow", source)
    assert "layer 'cases' below 'duty'" in finding.why


def test_a_hidden_import_is_refused_and_an_explained_one_accepted():
    hidden = "def f():\n    from binhyen.units.models import Unit\n    return Unit\n"
    explained = (
        "def f():\n    # deferred: a reason\n    from binhyen.units.models import Unit\n"
        "    return Unit\n"
    )
    assert [f.why for f in check_source("binhyen.cases.access", hidden)] == [
        "import inside a function"
    ]
    assert check_source("binhyen.cases.access", explained) == []


def test_interfaces_may_use_every_domain_layer_but_not_the_demo():
    assert check_source("binhyen.cases.views", "from binhyen.duty import services\n") == []
    (finding,) = check_source("binhyen.cases.views", "from binhyen.demo import world\n")
    assert "below 'demo'" in finding.why


def test_lifecycle_reactions_resolve_and_live_at_or_above_cases():
    for event, paths in REACTIONS.items():
        for path in paths:
            assert callable(import_string(path)), path
            module = path.rsplit(".", 1)[0]
            layer = layer_of(module)
            assert layer is not None and RANK[layer] >= RANK["cases"], (event, path)
