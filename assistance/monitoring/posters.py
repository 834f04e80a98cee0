"""The 自主申报 posters the county prints: one A4 page per village with its name, the QR code of its
public page (segno, inline SVG: nothing fetched from outside) and the hotline."""

from __future__ import annotations

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from assistance.monitoring.params import monitoring_params
from core.choices import RegionLevel, Role
from core.permissions import role_of
from core.scoping import village_page, villages_for

PRINTERS = {Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER, Role.SYSTEM_ADMIN}
NOT_ALLOWED = "海报由县、乡镇打印"


def public_url(request, village_code: str) -> str:
    """The address the QR code opens (settings.SELF_REPORT_BASE_URL when the public site differs)."""
    path = reverse("monitoring_public:report", args=[village_code])
    base = getattr(settings, "SELF_REPORT_BASE_URL", "")
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def _require(request) -> None:
    if role_of(request.user) not in PRINTERS:
        raise PermissionDenied(NOT_ALLOWED)


def poster_list(request, admin_context: dict):
    _require(request)
    context = {**admin_context, "title": "自主申报二维码海报", "vp": village_page(request.user, request.GET)}
    return TemplateResponse(request, "monitoring/poster_list.html", context)


def poster(request, village_code: str):
    _require(request)
    village = villages_for(request.user).filter(code=village_code, level=RegionLevel.VILLAGE).first()
    if village is None:  # outside the user's scope: not found
        raise Http404("未找到该村")
    url = public_url(request, village.code)
    qr = segno.make(url, error="m")
    hotline = monitoring_params(region_code=village.code, as_of=timezone.localdate())["monitor.hotline"]
    context = {
        "village": village,
        "full_name": village.full_name(),
        "qr": mark_safe(qr.svg_inline(scale=9, border=2)),  # noqa: S308 - segno's own SVG of our URL
        "url": url,
        "hotline": hotline,
    }
    return TemplateResponse(request, "monitoring/poster.html", context)
