from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerView

from core.api.schema_view import SchemaView

admin.site.site_header = "建档立卡贫困户帮扶管理系统"
admin.site.site_title = "扶贫帮扶管理"
admin.site.index_title = "工作台"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # Signed-in users only: the schema answers 401 in the API's JSON shape, the docs page sends to login.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api-schema"), login_url="admin:login"),
        name="api-docs",
    ),
    path("core/", include("core.urls")),
    path("households/", include("households.urls")),
    path("api/v1/", include("households.api.urls")),
    path("api/v1/", include("assistance.api.urls")),
    path("api/v1/", include("programs.api.urls")),
    path("api/v1/", include("projects.api_urls")),
    path("api/v1/", include("reports.api.urls")),
    path("api/v1/cross-checks/", include("reports.crosscheck.api.urls")),
    # 农户自主申报: public, no login (a village's page is reached by the QR code on its poster)
    path("report/", include("assistance.monitoring.public_urls")),
    # 阳光扶贫: a county's 项目库 公告公示, public, no login
    path("projects/", include("projects.public_urls")),
    path("captcha/", include("captcha.urls")),
    # 手机走访: the phone pages of 帮扶责任人 and village clerks (outside the admin)
    path("m/", include("field.urls")),
]

# Under /api/ these answer in the API's JSON error shape (core.api.exceptions); pages keep theirs.
handler400 = "core.api.exceptions.bad_request"
handler404 = "core.api.exceptions.page_not_found"
handler500 = "core.api.exceptions.server_error"
