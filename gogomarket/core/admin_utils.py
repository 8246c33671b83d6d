"""Building blocks shared by every app's back-office admin.

* ``BaseAdmin``: the defaults every GOGOMARKET ``ModelAdmin`` wants: no full ``COUNT(*)`` of big
  tables, ``created_at`` / ``updated_at`` read-only, newest rows first.
* ``ReadOnlyAdmin`` / ``ReadOnlyAdminMixin``: rows the services write (ledgers, history, order
  lines, carts): shown, never added, changed or deleted by hand.
* ``ActionsOnlyAdmin``: rows shown read-only whose list actions (which call services) need the
  "change" right: granted on the list, never on one row's page.
* ``run_per_row``: the body of a list action that calls a service once per selected row.
* ``uzs_column``: a list column that shows a money field as ``125 000 so'm``.
* ``LimitedInlineMixin`` / ``ReadOnlyInlineMixin``: inlines over sets that can grow without bound
  (messages, views, ledger rows) show only the newest rows and never edit history.
* ``changelist_link``: a link to another changelist filtered on this object, for the sets that are
  too big for an inline.
* ``related_count``: a per-row count for list columns that does not group the whole table.
* ``short_text_column``: the start of a long text as a list column.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator

from gogomarket.core.money import format_uzs

# Columns the database fills and nobody edits by hand.
HISTORY_FIELDS = ("created_at", "updated_at")


class BaseAdmin(admin.ModelAdmin):
    """Defaults for every model admin of the project.

    ``readonly_on_change``: fields that may be set when a row is created but never changed later;
    ``immutable = True`` makes every field read-only once the row exists (ledgers, history).
    """

    # Big tables: never run an unfiltered COUNT(*) just to print "(123456 total)".
    show_full_result_count = False
    list_per_page = 50
    ordering = ("-pk",)
    readonly_on_change = ()
    immutable = False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        model_fields = {f.name for f in self.model._meta.get_fields()}
        fields += [name for name in HISTORY_FIELDS if name in model_fields and name not in fields]
        if obj is not None:
            if self.immutable:
                editable = [f.name for f in self.model._meta.concrete_fields if f.editable and not f.primary_key]
                fields += [name for name in editable if name not in fields]
            fields += [name for name in self.readonly_on_change if name not in fields]
        return fields


class ReadOnlyAdminMixin:
    """Shown, never added, changed or deleted by hand: the services write these rows. Put it
    before the ``ModelAdmin`` class in the bases."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, BaseAdmin):
    """``BaseAdmin`` for rows only the services write: view only, for whoever may view them."""


class ActionsOnlyAdmin(BaseAdmin):
    """Rows shown read-only that staff act on through the list's actions (approve, verify, send
    again ...), each calling a service. The actions need the "change" right, so it is granted for
    the list (``obj`` None) only: one row's page is read-only, because saving it would write back
    what was read a moment before, over what a service may have recorded meanwhile."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


def error_messages(error):
    """The texts of a ValidationError (every field's) or of a PermissionDenied."""
    return getattr(error, "messages", None) or [str(error)]


def run_per_row(modeladmin, request, queryset, fn, done_message, *, name=str, atomic=True):
    """Call ``fn(row)`` for each selected row, in id order, and tell the staff member how it went:
    one warning per refused row (``"<name of the row>: <why>"``, from the ValidationError or
    PermissionDenied ``fn`` raised) and ``done_message % {"n": done}`` when any row was done.

    Each row runs in its own transaction: a refusal undoes what ``fn`` wrote for that row and
    leaves the rows done before and after it as they are. ``atomic=False`` is for services that
    commit in steps themselves (those that call a provider between two commits: an outer
    transaction would hold their locks through the call and undo the record of what was sent).

    Returns ``(done, refused)``, the counts."""
    done = refused = 0
    for row in queryset.order_by("pk"):
        try:
            if atomic:
                with transaction.atomic():
                    fn(row)
            else:
                fn(row)
        except (ValidationError, PermissionDenied) as error:
            refused += 1
            modeladmin.message_user(request, f"{name(row)}: {' '.join(error_messages(error))}", messages.WARNING)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"n": done}, messages.SUCCESS)
    return done, refused


def uzs_column(field_name, description, ordering=True):
    """A ``list_display`` / ``readonly_fields`` entry that shows ``field_name`` in UZS."""

    def column(self, obj):
        return format_uzs(getattr(obj, field_name))

    column.__name__ = f"{field_name}_uzs"
    return admin.display(description=description, ordering=field_name if ordering else None)(column)


def short_text_column(field_name, description, length=60):
    """A ``list_display`` entry with the start of a long text field."""

    def column(self, obj):
        return Truncator(getattr(obj, field_name) or "").chars(length)

    column.__name__ = f"short_{field_name}"
    return admin.display(description=description)(column)


def related_count(model, fk_name):
    """``COUNT`` of ``model`` rows pointing at each listed row, as a correlated subquery: it runs for
    the rows of the page only, where ``annotate(Count(...))`` would group the whole table first."""
    counts = (
        model._default_manager.filter(**{fk_name: OuterRef("pk")})
        .order_by()
        .values(fk_name)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def changelist_link(model, lookup, value, text):
    """``<a>`` to the admin changelist of ``model`` filtered by ``lookup=value``."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode({lookup: value}), text)


class LimitedInlineFormSet(BaseInlineFormSet):
    """Shows only the first ``max_rows`` rows of the inline's (ordered) queryset."""

    max_rows = 20

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset()[: self.max_rows]
        return self._queryset


class LimitedInlineMixin:
    """For inlines over sets that can grow without bound: the newest ``max_rows`` rows only,
    foreign keys as raw ids (a select box would load a whole table)."""

    max_rows = 20
    extra = 0
    ordering = ("-pk",)
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(f"Limited{formset.__name__}", (LimitedInlineFormSet, formset), {"max_rows": self.max_rows})


class ReadOnlyInlineMixin(ReadOnlyAdminMixin):
    """Rows shown next to their parent: nothing is added, changed or deleted from here."""

    extra = 0
    can_delete = False
    show_change_link = True


class HistoryInline(LimitedInlineMixin, ReadOnlyInlineMixin, admin.TabularInline):
    """The newest rows of a history set, read-only. Set ``model``, ``fields`` and ``select_related``."""

    select_related = ()

    def get_readonly_fields(self, request, obj=None):
        return self.fields or ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)
