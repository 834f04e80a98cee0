from django.urls import path

from projects import public

app_name = "projects_public"

urlpatterns = [
    path("<str:county_code>/", public.county_page, name="county"),
    path("<str:county_code>/<int:project_id>/<slug:kind>/", public.notice_page, name="notice"),
]
