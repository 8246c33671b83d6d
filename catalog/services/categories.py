"""The category tree (staff): three levels, moves, deletes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gogomarket.core.services import audit_log_write
from gogomarket.core.text import slug_of

from .. import cache as catalog_cache
from ..models import Category, Product
from .common import check_category_staff, jsonable

MAX_CATEGORY_LEVEL = 2  # three levels: 0, 1, 2

CATEGORY_FIELDS = ("name", "slug", "description", "icon_url", "image_url", "sort_order", "is_active", "meta_title",
                   "meta_description")  # fmt: skip


def _category_clean(category, parent_id):
    errors = {}
    if not (category.name or "").strip():
        errors["name"] = [_("Give the category a name.")]
    category.slug = slug_of(category.slug or category.name)
    if not category.slug:
        errors["slug"] = [_("Use Latin letters, digits and hyphens.")]
    elif Category.objects.filter(slug=category.slug).exclude(pk=category.pk).exists():
        errors["slug"] = [_("This web address is already taken.")]
    parent = None
    if parent_id:
        parent = Category.objects.filter(pk=parent_id, deleted_at__isnull=True).first()
        if parent is None:
            errors["parent"] = [_("Choose a parent category from the list.")]
        elif parent.level >= MAX_CATEGORY_LEVEL:
            errors["parent"] = [_("Categories go three levels deep at most.")]
        elif category.pk and parent.pk in _subtree_ids(category.pk):
            errors["parent"] = [_("A category cannot sit inside itself.")]
        elif category.pk and _subtree_depth(category.pk) + parent.level + 1 > MAX_CATEGORY_LEVEL:
            errors["parent"] = [_("Categories go three levels deep at most.")]
        elif (
            not category.pk or Category.objects.filter(pk=category.pk).exclude(parent_id=parent.pk).exists()
        ) and Product.objects.filter(category=parent, deleted_at__isnull=True).exists():
            # a new child would leave the parent's products outside a leaf (category_for_products)
            errors["parent"] = [_("This category holds products: move them to another category first.")]
    if errors:
        raise ValidationError(errors)
    category.parent = parent
    category.level = parent.level + 1 if parent else 0


def _subtree_ids(category_id):
    ids, todo = {category_id}, {category_id}
    while todo:
        todo = set(Category.objects.filter(parent_id__in=todo).values_list("pk", flat=True)) - ids
        ids |= todo
    return ids


def _subtree_depth(category_id):
    depth, todo = 0, {category_id}
    while True:
        todo = set(Category.objects.filter(parent_id__in=todo).values_list("pk", flat=True))
        if not todo:
            return depth
        depth += 1


def category_validate(*, category, parent_id):
    """Check a category (and where it would sit) without saving; for the admin form."""
    _category_clean(category, parent_id)


KEEP_PARENT = object()


def category_save(*, actor, category=None, parent_id=KEEP_PARENT, request=None, **data):
    """Create or change a category (staff). Levels follow the parent; three levels at most.
    ``parent_id`` None moves it to the top level; left out, the parent stays. Refused
    (PermissionDenied) to anyone but the catalog staff (``can_manage_categories``)."""
    check_category_staff(actor)
    with transaction.atomic():
        return _category_save(actor=actor, category=category, parent_id=parent_id, request=request, **data)


def _category_save(*, actor, category, parent_id, request, **data):
    creating = category is None or category.pk is None
    category = category or Category()
    stored = None if creating else Category.objects.select_for_update().get(pk=category.pk)
    if parent_id is KEEP_PARENT:
        parent_id = stored.parent_id if stored else None
    before = {} if creating else {n: getattr(stored, n) for n in CATEGORY_FIELDS} | {"parent": stored.parent_id}
    for name, value in data.items():
        if name in CATEGORY_FIELDS:
            setattr(category, name, value.strip() if isinstance(value, str) else value)
    _category_clean(category, parent_id)
    old_level = None if creating else stored.level
    category.save()
    if old_level is not None and old_level != category.level:
        _levels_refresh(category)
    after = {n: getattr(category, n) for n in CATEGORY_FIELDS} | {"parent": category.parent_id}
    audit_log_write(
        actor=actor,
        action="category.create" if creating else "category.update",
        entity_type="category",
        entity_id=category.pk,
        old_values={k: jsonable(v) for k, v in before.items() if after.get(k) != v} or None,
        new_values={k: jsonable(v) for k, v in after.items() if before.get(k) != v} or None,
        request=request,
    )
    transaction.on_commit(catalog_cache.tree_invalidate)
    return category


def _levels_refresh(category):
    for child in Category.objects.filter(parent=category):
        child.level = category.level + 1
        child.save(update_fields=["level", "updated_at"])
        _levels_refresh(child)


@transaction.atomic
def category_delete(*, actor, category, request=None):
    """Soft delete, refused while live products or subcategories are in it, and to anyone but
    the catalog staff."""
    check_category_staff(actor)
    if Category.objects.filter(parent=category, deleted_at__isnull=True).exists():
        raise ValidationError(_("Move or delete its subcategories first."))
    if Product.objects.filter(category=category, deleted_at__isnull=True).exists():
        raise ValidationError(_("Move its products to another category first."))
    category.deleted_at = timezone.now()
    category.is_active = False
    category.save(update_fields=["deleted_at", "is_active", "updated_at"])
    audit_log_write(
        actor=actor, action="category.delete", entity_type="category", entity_id=category.pk, request=request
    )
    transaction.on_commit(catalog_cache.tree_invalidate)
