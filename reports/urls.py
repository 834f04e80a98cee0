from django.contrib import admin
from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("workbench/", admin.site.admin_view(views.workbench), name="workbench"),
    path("statistics/", admin.site.admin_view(views.statistics), name="statistics"),
]
