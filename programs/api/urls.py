from django.urls import path
from rest_framework.routers import SimpleRouter

from programs.api import views

app_name = "programs_api"

router = SimpleRouter()
router.register("programs", views.ProgramViewSet, basename="program")
router.register("parameters", views.ParameterViewSet, basename="parameter")
router.register("village-populations", views.VillagePopulationViewSet, basename="village-population")
router.register("village-indicators", views.VillageIndicatorViewSet, basename="village-indicator")
router.register("eligibility-results", views.EligibilityResultViewSet, basename="eligibility-result")

urlpatterns = [
    path("what-if/", views.WhatIfView.as_view(), name="what-if"),
    path("regions/<str:code>/what-if/", views.RegionWhatIfView.as_view(), name="region-what-if"),
    *router.urls,
]
