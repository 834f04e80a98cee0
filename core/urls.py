from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("regions/children/", views.region_children, name="region-children"),
    path("regions/search/", views.region_search, name="region-search"),
]
