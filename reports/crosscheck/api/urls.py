from rest_framework.routers import SimpleRouter

from reports.crosscheck.api import views

app_name = "crosscheck_api"

router = SimpleRouter()
router.register("batches", views.OutsideListViewSet, basename="crosscheck-batch")
router.register("runs", views.CheckRunViewSet, basename="crosscheck-run")
router.register("duplicate-runs", views.DuplicateRunViewSet, basename="crosscheck-duplicate-run")
router.register("hits", views.HitViewSet, basename="crosscheck-hit")
router.register("counts", views.HitCountViewSet, basename="crosscheck-count")

urlpatterns = router.urls
