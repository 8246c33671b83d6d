from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DeliveryZone
from .services import zone_outlines
from .widgets import ZoneMapWidget

# Where a zone may lie: Uzbekistan's extent (longitude, latitude), with a small margin. A zone
# outside it is a slip (latitude and longitude swapped, a point picked on the wrong continent).
SERVICE_AREA = (55.9, 37.1, 73.2, 45.6)  # xmin, ymin, xmax, ymax


class DeliveryZoneForm(forms.ModelForm):
    """The back office's zone form: the polygon on a map, with the other zones drawn underneath;
    a polygon must be valid (GEOS) and lie within ``SERVICE_AREA``."""

    class Meta:
        model = DeliveryZone
        fields = ("name", "description", "city", "districts", "polygon", "is_active")
        widgets = {"polygon": ZoneMapWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "polygon" in self.fields:
            self.fields["polygon"].widget.other_zones = zone_outlines(exclude_id=self.instance.pk)

    def clean_polygon(self):
        polygon = self.cleaned_data.get("polygon")
        if polygon is None:
            return polygon
        if polygon.empty or not polygon.valid:
            raise forms.ValidationError(
                _("This outline is not a valid polygon (%(reason)s). Draw it again without crossing lines."),
                code="invalid_polygon",
                params={"reason": polygon.valid_reason if not polygon.empty else _("empty")},
            )
        xmin, ymin, xmax, ymax = polygon.extent
        left, bottom, right, top = SERVICE_AREA
        if not (left <= xmin and xmax <= right and bottom <= ymin and ymax <= top):
            raise forms.ValidationError(
                _("The zone must lie in Uzbekistan (longitude %(left)s-%(right)s, latitude %(bottom)s-%(top)s)."),
                code="outside_service_area",
                params={"left": left, "right": right, "bottom": bottom, "top": top},
            )
        return polygon
