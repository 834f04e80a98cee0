from django.urls import path

from households import views

app_name = "households"

urlpatterns = [
    path("regions/children/", views.region_children, name="region-children"),
    path("regions/search/", views.region_search, name="region-search"),
    path("members/id-check/", views.id_check, name="id-check"),
    path("visit-photos/<uuid:photo_id>/", views.visit_photo, name="visit-photo"),
]
