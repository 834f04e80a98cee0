from django.urls import path
from rest_framework.routers import SimpleRouter

from core.api import chain as chain_api
from households.api import chain, search, views

app_name = "households_api"

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("members", views.MemberViewSet, basename="member")
router.register("incomes", views.IncomeYearViewSet, basename="income")
router.register("helpers", views.HelperPersonViewSet, basename="helper")
router.register("helper-assignments", views.HelperAssignmentViewSet, basename="helper-assignment")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("work-teams", views.WorkTeamViewSet, basename="work-team")
router.register("work-team-members", views.WorkTeamMemberViewSet, basename="work-team-member")
router.register("publicities", chain_api.PublicityViewSet, basename="publicity")
router.register("change-requests", chain.ChangeRequestViewSet, basename="change-request")
router.register("workflow-events", chain_api.WorkflowEventViewSet, basename="workflow-event")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("search/", search.SearchView.as_view(), name="search"),
    *router.urls,
]
