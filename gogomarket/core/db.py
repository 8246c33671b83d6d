"""Database building blocks shared by every app.

* ``EnumField``: a column of a real PostgreSQL ENUM type. Python code sees the app's
  ``TextChoices``; the database refuses any other value (``DataError``).
* ``CreateEnumType`` / ``AddEnumValue``: reversible migration operations that create the type
  before the first table uses it, and extend it later. ``makemigrations`` does not write these:
  put them by hand at the top of the migration that first needs the type.
* ``Index`` / ``GinIndex`` / ``GistIndex``: Django's index classes with PostgreSQL's 63-character
  name limit instead of Django's portable 30, so the spec's index names can be used verbatim.
"""

from django.contrib.postgres import indexes as pg_indexes
from django.db import models
from django.db.migrations.operations.base import Operation

POSTGRES_MAX_NAME_LENGTH = 63


class EnumField(models.CharField):
    """A CharField stored in the PostgreSQL ENUM type ``enum_type``."""

    description = "PostgreSQL ENUM"

    def __init__(self, *args, enum_type=None, **kwargs):
        if not enum_type:
            raise TypeError("EnumField needs enum_type, the PostgreSQL type name")
        self.enum_type = enum_type
        # max_length only bounds form input; the column has no length of its own.
        kwargs.setdefault("max_length", 63)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["enum_type"] = self.enum_type
        if kwargs.get("max_length") == 63:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def db_type(self, connection):
        return self.enum_type

    def cast_db_type(self, connection):
        return self.enum_type


class CreateEnumType(Operation):
    """``CREATE TYPE name AS ENUM (...)``; reversed by ``DROP TYPE``."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, name, values):
        self.name = name
        self.values = list(values)

    def state_forwards(self, app_label, state):
        pass  # types are not part of Django's model state

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        labels = ", ".join(schema_editor.quote_value(v) for v in self.values)
        schema_editor.execute(f"CREATE TYPE {schema_editor.quote_name(self.name)} AS ENUM ({labels})")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(f"DROP TYPE {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"Create PostgreSQL ENUM type {self.name}"

    @property
    def migration_name_fragment(self):
        return f"create_{self.name}"


class AddEnumValue(Operation):
    """``ALTER TYPE name ADD VALUE``. PostgreSQL cannot drop an enum value, so it is not reversible."""

    reversible = False
    reduces_to_sql = True
    atomic = False

    def __init__(self, name, value, before=None, after=None):
        self.name, self.value, self.before, self.after = name, value, before, after

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        sql = (
            f"ALTER TYPE {schema_editor.quote_name(self.name)} "
            f"ADD VALUE IF NOT EXISTS {schema_editor.quote_value(self.value)}"
        )
        if self.before:
            sql += f" BEFORE {schema_editor.quote_value(self.before)}"
        elif self.after:
            sql += f" AFTER {schema_editor.quote_value(self.after)}"
        schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        raise NotImplementedError("PostgreSQL cannot remove a value from an ENUM type")

    def describe(self):
        return f"Add {self.value!r} to PostgreSQL ENUM type {self.name}"


class Index(models.Index):
    max_name_length = POSTGRES_MAX_NAME_LENGTH


class GinIndex(pg_indexes.GinIndex):
    max_name_length = POSTGRES_MAX_NAME_LENGTH


class GistIndex(pg_indexes.GistIndex):
    max_name_length = POSTGRES_MAX_NAME_LENGTH
