"""The apps depend on each other one way (docs/ARCHITECTURE.md, "Apps and layers").

Domain modules (models, services, selectors and the rest) import only apps at their own layer or
below, never a page, API or command module; interface modules (views, api, urls, forms, admin,
management commands) compose any app's domain. So the domain has no import cycle among apps, and
a newcomer reads each app knowing only what lies below it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import fangkong

# Lowest first; apps on one line may not import each other.
LAYERS = [
    ["core"],
    ["audit"],
    ["org"],
    ["people"],
    ["obligations"],
    ["policy"],
    ["tracing"],
    ["quarantine"],  # a fever or a positive at a site opens a case
    ["labs", "monitoring", "movement", "readiness", "pharmacy", "vaccination", "playbooks"],
    ["command", "healthcodes"],
    ["gates"],  # the gate reads codes (healthcodes) and opens the fever path (monitoring)
    ["demo"],
    ["config"],
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}
INTERFACE = {"views", "api", "urls", "forms", "admin", "management", "templatetags", "api_urls"}
ROOT = Path(fangkong.__file__).parent


def _modules() -> list[tuple[str, bool, Path]]:
    """(app, is an interface module, path) of every module of the apps but tests and migrations."""
    found = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] not in LEVEL or "tests" in parts or "migrations" in parts:
            continue
        interface = parts[0] == "config" or any(p.removesuffix(".py") in INTERFACE for p in parts)
        found.append((parts[0], interface, path))
    return found


def _imports(path: Path) -> list[tuple[str, str, int]]:
    """(app, module, line) of every ``fangkong.<app>…`` import, at load time or in a function."""
    imports = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "fangkong" and len(parts) > 1 and parts[1] in LEVEL:
                imports.append((parts[1], name, node.lineno))
    return imports


def test_the_domain_imports_only_its_own_layer_or_below_and_never_a_page_or_api():
    wrong = []
    for app, interface, path in _modules():
        if interface:
            continue
        for target, module, line in _imports(path):
            where = f"{path.relative_to(ROOT)}:{line} imports {module}"
            if target != app and LEVEL[target] >= LEVEL[app]:
                wrong.append(f"{where} (the {target} layer is not below {app})")
            if any(part in INTERFACE for part in module.split(".")[2:]):
                wrong.append(f"{where} (an interface module)")
    assert not wrong, "\n".join(wrong)


def test_the_walk_sees_the_imports_it_judges():
    """The test above can fail: it reads the imports of the apps' modules."""
    modules = _modules()
    assert {app for app, _interface, _path in modules} == set(LEVEL)
    assert any(app == "policy" for app, _module, _line in _imports(ROOT / "labs" / "services.py"))
