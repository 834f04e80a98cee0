from django.urls import path

from assistance.monitoring import public

app_name = "monitoring_public"

urlpatterns = [
    path("progress/", public.progress, name="progress"),
    path("<str:village_code>/", public.report, name="report"),
]
