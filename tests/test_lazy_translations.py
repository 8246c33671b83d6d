"""Strings translated when a module is imported are in whatever language was active then (Uzbek,
the default), for every reader. Module constants and class attributes must use gettext_lazy;
gettext belongs inside functions, where a request's language is active."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}
SKIP = {".venv", "var", "migrations", "node_modules"}


def eager_names(tree):
    """Local names bound to django.utils.translation's eager functions (``gettext as _``)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER
    }


def calls_at_import(node, names, found, in_function=False):
    """Calls of ``names`` that run when the module is imported: outside function bodies (class
    bodies, decorators and default values included)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for evaluated in [*node.decorator_list, *node.args.defaults, *filter(None, node.args.kw_defaults)]:
            calls_at_import(evaluated, names, found, in_function)
        for statement in node.body:
            calls_at_import(statement, names, found, True)
        return
    if isinstance(node, ast.Lambda):
        for default in node.args.defaults:
            calls_at_import(default, names, found, in_function)
        calls_at_import(node.body, names, found, True)
        return
    if not in_function and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
        found.append(node)
    for child in ast.iter_child_nodes(node):
        calls_at_import(child, names, found, in_function)


def test_no_string_is_translated_when_its_module_is_imported():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = eager_names(tree)
        if not names:
            continue
        found = []
        calls_at_import(tree, names, found)
        offenders += [f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(call)[:80]}" for call in found]
    assert offenders == []
