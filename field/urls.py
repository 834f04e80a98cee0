from django.urls import path

from field import views

app_name = "field"

urlpatterns = [
    path("", views.my_households, name="home"),
    path("login/", views.FieldLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("h/<int:pk>/", views.household_card, name="household"),
    path("h/<int:pk>/visit/", views.visit_form, name="visit"),
    path("lead/<int:pk>/", views.lead_check, name="lead"),
    path("hit/<int:pk>/", views.hit_check, name="hit"),
    path("change/<int:pk>/", views.proposal, name="proposal"),
    path("todo/", views.todo, name="todo"),
    path("sync/", views.sync, name="sync"),
    path("sw.js", views.service_worker, name="sw"),
]
