from django.urls import path

from households import views

app_name = "households"

urlpatterns = [
    path("members/id-check/", views.id_check, name="id-check"),
    path("search/", views.search_page, name="search"),
    path("visit-photos/<uuid:photo_id>/", views.visit_photo, name="visit-photo"),
]
