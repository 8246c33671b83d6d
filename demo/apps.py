from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (``manage.py seed_demo``): the top of the layer order, above every app it fills."""

    name = "demo"
    verbose_name = "Demo data"
