from django.views.generic import TemplateView

from .selectors import featured_products, top_categories


class HomeView(TemplateView):
    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["categories"] = top_categories()
        context["featured_products"] = featured_products()
        return context
