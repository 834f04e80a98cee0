from rest_framework.routers import SimpleRouter

from reports.api import exports

app_name = "reports_api"

router = SimpleRouter()
router.register("exports", exports.ExportViewSet, basename="export")

urlpatterns = router.urls
