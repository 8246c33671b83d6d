"""The migrated test database matches the schema spec (docs/schema/schema.json), fact by fact.

This is the project's own copy of the acceptance check: a later migration that drops a column,
changes a type, renames an index or adds a redundant one fails CI here.
"""

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

SPEC = json.loads((Path(__file__).resolve().parent.parent / "docs" / "schema" / "schema.json").read_text())
NOW_FUNCS = ("now()", "current_timestamp", "statement_timestamp()", "transaction_timestamp()", "clock_timestamp()")

pytestmark = pytest.mark.django_db


def rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def expected_types(spec_type):
    t = spec_type.upper()
    simple = {
        "BIGSERIAL": "bigint",
        "BIGINT": "bigint",
        "INTEGER": "integer",
        "TEXT": "text",
        "BOOLEAN": "boolean",
        "UUID": "uuid",
        "JSONB": "jsonb",
        "INET": "inet",
        "DATE": "date",
    }
    if t in simple:
        return {simple[t]}
    if t == "TIMESTAMP":
        return {"timestamp with time zone", "timestamp without time zone"}
    if t == "GEOGRAPHY(POLYGON)":
        return {"geography(polygon,4326)"}
    if m := re.match(r"VARCHAR\((\d+)\)", t):
        return {f"character varying({m.group(1)})"}
    if m := re.match(r"DECIMAL\((\d+),\s*(\d+)\)", t):
        return {f"numeric({m.group(1)},{m.group(2)})"}
    return {spec_type.lower()}


def default_matches(expected, actual):
    if actual is None:
        return False
    a, e = actual.lower(), expected.lower()
    if e == "now()":
        return any(f in a for f in NOW_FUNCS)
    if e in ("true", "false"):
        return a == e
    if re.fullmatch(r"-?\d+(\.\d+)?", e):
        m = re.match(r"^\(?'?(-?\d+(?:\.\d+)?)'?\)?(::[\w ]+)?$", a)
        return bool(m) and float(m.group(1)) == float(e)
    if e.startswith("'"):
        return a.startswith(e)
    return a == e


@pytest.fixture(scope="module")
def live(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        cols = {}
        for t, c, typ, notnull, default, ident in rows("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), a.attidentity
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = 'public' AND c.relkind IN ('r','p') AND a.attnum > 0 AND NOT a.attisdropped"""):
            cols[(t, c)] = {
                "type": typ.lower(),
                "not_null": notnull,
                "default": default,
                "identity": ident in ("a", "d"),
            }
        cons = defaultdict(list)
        for t, kind, keys, ft, fkeys, definition in rows("""
            SELECT c.relname, k.contype,
                   (SELECT string_agg(a.attname, ',' ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(n, ord)
                      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n),
                   coalesce(fc.relname, ''),
                   coalesce((SELECT string_agg(a.attname, ',' ORDER BY u.ord)
                             FROM unnest(k.confkey) WITH ORDINALITY u(n, ord)
                      JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n), ''),
                   pg_get_constraintdef(k.oid)
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class fc ON fc.oid = k.confrelid
            WHERE n.nspname = 'public'"""):
            cons[t].append({"kind": kind, "cols": keys or "", "ftable": ft, "fcols": fkeys, "def": definition})
        indexes = defaultdict(list)
        for t, name, unique, method, colspec, predicate in rows("""
            SELECT c.relname, i.relname, x.indisunique, am.amname,
                   (SELECT string_agg(coalesce(a.attname, 'expr') ||
                           CASE WHEN (x.indoption[u.ord - 1] & 1) = 1 THEN ' desc' ELSE '' END, ',' ORDER BY u.ord)
                    FROM unnest(x.indkey) WITH ORDINALITY u(n, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.n),
                   coalesce(pg_get_expr(x.indpred, x.indrelid), '')
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = i.relam
            WHERE n.nspname = 'public'"""):
            indexes[t].append(
                {"name": name, "unique": unique, "method": method, "cols": colspec, "partial": bool(predicate)}
            )
        enums = defaultdict(list)
        for name, label in rows("""
            SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
            JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'
            ORDER BY t.typname, e.enumsortorder"""):
            enums[name].append(label)
    return {"cols": cols, "cons": cons, "indexes": indexes, "enums": enums}


def test_enum_types_have_the_spec_labels_in_order(live):
    wrong = {
        name: live["enums"].get(name) for name, labels in SPEC["enums"].items() if live["enums"].get(name) != labels
    }
    assert not wrong, wrong
    assert len(SPEC["enums"]) == 26


@pytest.mark.parametrize("table", sorted(SPEC["tables"]))
def test_table_matches_spec(live, table):
    spec = SPEC["tables"][table]
    cols, cons, indexes = live["cols"], live["cons"][table], live["indexes"][table]
    problems = []
    for col in spec["columns"]:
        where = f"{table}.{col['name']}"
        got = cols.get((table, col["name"]))
        if got is None:
            problems.append(f"{where} missing")
            continue
        if got["type"] not in expected_types(col["type"]):
            problems.append(f"{where} is {got['type']}, spec {col['type']}")
        if got["not_null"] != col["not_null"]:
            problems.append(f"{where} not_null={got['not_null']}, spec {col['not_null']}")
        if col["type"] == "BIGSERIAL":
            if not (got["identity"] and any(c["kind"] == "p" and c["cols"] == col["name"] for c in cons)):
                problems.append(f"{where} should be an auto-increment primary key")
        elif col["default"] is not None and not default_matches(col["default"], got["default"]):
            problems.append(f"{where} default {got['default']!r}, spec {col['default']}")
        if col["unique"] and not any(c["kind"] == "u" and c["cols"] == col["name"] for c in cons):
            problems.append(f"{where} should be UNIQUE")
        if col["fk"] and not any(
            c["kind"] == "f" and c["cols"] == col["name"] and c["ftable"] == col["fk"]["table"] for c in cons
        ):
            problems.append(f"{where} should reference {col['fk']['table']}")
        if col["check"] and not any(c["kind"] == "c" and col["name"] in c["def"] for c in cons):
            problems.append(f"{where} should have {col['check']}")
    for ix in spec["indexes"]:
        colspec = ",".join(c["column"] + (" desc" if c["desc"] else "") for c in ix["columns"])
        match = [
            i
            for i in indexes
            if i["cols"] == colspec
            and i["method"] == ix["method"]
            and (i["unique"] or not ix["unique"])
            and not i["partial"]
        ]
        if not any(i["name"] == ix["name"] for i in match):
            problems.append(f"{ix['method']} index {ix['name']} on ({colspec}) missing")
    seen = {}
    for i in sorted(indexes, key=lambda i: (not i["unique"], i["name"])):
        key = (i["cols"], i["method"])
        if i["partial"]:
            continue  # a partial index covers only some rows: it never replaces a full one
        if key in seen:
            problems.append(f"redundant index {i['name']} repeats {seen[key]} on ({i['cols']})")
        seen.setdefault(key, i["name"])
    assert not problems, "\n".join(problems)


def test_every_spec_table_has_exactly_one_model():
    tables = [m._meta.db_table for m in apps.get_models()]
    for table in SPEC["tables"]:
        assert tables.count(table) == 1, table


def test_models_python_choices_match_database_enums(live):
    """The TextChoices Python code sees are exactly the labels PostgreSQL accepts."""
    from gogomarket.core.db import EnumField

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EnumField):
                assert [v for v, _ in field.choices] == live["enums"][field.enum_type], (model, field.name)


def test_database_refuses_a_value_outside_the_enum():
    from django.db import DataError, transaction

    from accounts.tests.factories import UserFactory

    user = UserFactory()
    with pytest.raises(DataError), transaction.atomic():
        type(user).objects.filter(pk=user.pk).update(role="emperor")
    user.refresh_from_db()
    assert user.role == "buyer"


def test_database_refuses_a_rating_outside_1_to_5():
    from django.db import IntegrityError, connection, transaction

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO reviews (order_id, product_id, seller_id, buyer_id, rating) VALUES (1, 1, 1, 1, 6)")
