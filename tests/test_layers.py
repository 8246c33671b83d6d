"""The layer order (README "Layers", .importlinter): domain code imports only downward, so the
import graph between apps has no cycle. `make test` runs `lint-imports` too; this keeps a plain
`pytest` honest as well."""

import subprocess
import sys

from tests.helpers import ROOT


def test_the_layer_contracts_are_kept():
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_domain_import_graph_between_apps_has_no_cycle():
    """What the contracts promise, checked directly on the graph grimp builds: between apps, domain
    modules import each other in one direction only."""
    import grimp

    apps = ["gogomarket", "accounts", "catalog", "delivery", "orders", "finance", "notifications", "reviews",
            "promotions", "disputes", "chat", "social", "analytics", "demo"]  # fmt: skip
    graph = grimp.build_graph(*apps, cache_dir=None)
    interface = (".admin", ".admin_utils", ".views", "_views", ".urls", "_urls", ".forms", ".context_processors",
                 ".middleware", ".consumers", ".widgets")  # fmt: skip

    def app_of(module):
        return "gogomarket.core" if module.startswith("gogomarket.core") else module.split(".")[0]

    def is_domain(module):
        parts = module.split(".")
        return not (
            module.endswith(interface)
            or {"api", "management", "templatetags", "tests", "migrations"} & set(parts)
            or not module.startswith(("gogomarket.core", *apps[1:]))
        )

    edges = set()
    for module in graph.modules:
        if not is_domain(module):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if is_domain(imported) and app_of(imported) != app_of(module):
                edges.add((app_of(module), app_of(imported)))
    both_ways = {(a, b) for a, b in edges if (b, a) in edges}
    assert both_ways == set()
    # and no longer cycle: the apps sort in an order where every edge points down
    remaining = {a for edge in edges for a in edge}
    while remaining:
        bottom = {a for a in remaining if not any(x == a and y in remaining for x, y in edges)}
        assert bottom, f"a cycle among {sorted(remaining)}"
        remaining -= bottom


def test_each_table_is_written_by_its_own_app():
    """Stock is written by catalog (checkout calls catalog.services.stock_take), an order's payment
    state by orders (finance calls order_payment_record), and so on: no module of one app calls a
    write (`create`, `update`, `delete` ...) on another app's model manager. Demo data and
    benchmarks, which fill every table, are left out, as are tests and migrations."""
    import ast

    from django.apps import apps as registry

    app_names = ["gogomarket.core", "accounts", "catalog", "delivery", "orders", "finance", "notifications", "reviews",
                 "promotions", "disputes", "chat", "social", "analytics"]  # fmt: skip
    owner = {}
    for model in registry.get_models():
        app = model.__module__.rsplit(".models", 1)[0]
        if app in app_names:
            owner[model.__name__] = app
    writes = {"update", "create", "bulk_create", "bulk_update", "delete", "get_or_create", "update_or_create"}
    skipped = {"migrations", "tests", "__pycache__"}
    found = []
    for app in app_names:
        folder = ROOT / app.replace(".", "/")
        for path in folder.rglob("*.py"):
            if skipped & set(path.relative_to(folder).parts):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not (
                    isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in writes
                ):
                    continue
                base = node.func.value
                while isinstance(base, ast.Call | ast.Attribute):
                    base = base.func if isinstance(base, ast.Call) else base.value
                if isinstance(base, ast.Name) and owner.get(base.id, app) != app:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} writes {base.id}")
    assert found == []
