from django.urls import path
from rest_framework.routers import SimpleRouter

from reports.api import exports
from reports.api.views import VIEWS

app_name = "reports_api"

router = SimpleRouter()
router.register("exports", exports.ExportViewSet, basename="export")

urlpatterns = [
    *router.urls,
    *(
        route
        for name, (scope_view, region_view) in VIEWS.items()
        for route in (
            path(f"statistics/{name}/", scope_view.as_view(), name=f"statistics-{name}"),
            path(f"statistics/{name}/<str:code>/", region_view.as_view(), name=f"statistics-{name}-region"),
        )
    ),
]
