from rest_framework.routers import SimpleRouter

from projects import api

app_name = "projects_api"

router = SimpleRouter()
router.register("projects", api.ProjectViewSet, basename="project")

urlpatterns = router.urls
