"""The 工作台 (home tab of every role) and the statistics page, inside the admin frame."""

from __future__ import annotations

import json

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.template.response import TemplateResponse
from django.utils import timezone

from core.choices import Role
from core.permissions import role_of
from reports import todo
from reports.dashboard import charts_for

# Roles that see charts of their scope on the 工作台 (the village clerk sees the to-do only).
CHART_ROLES = {Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.CITY_SUPERVISOR, Role.SYSTEM_ADMIN}


def _context(request, title: str) -> dict:
    return {**admin.site.each_context(request), "title": title}


def workbench(request):
    today = timezone.localdate()
    role = role_of(request.user)
    context = _context(request, "工作台")
    items = todo.items_for(request.user, today)
    context.update(
        todo_items=[i for i in items if not i.alert and not i.info],
        alert_items=[i for i in items if i.alert],
        info_items=[i for i in items if i.info],
        role_label=Role(role).label if role else "",
        region=request.user.region,
    )
    if role in CHART_ROLES:
        scope, charts = charts_for(request.user, today=today)
        context.update(scope=scope, charts=charts, charts_json=json.dumps(charts, cls=DjangoJSONEncoder))
    return TemplateResponse(request, "reports/workbench.html", context)


def statistics(request):
    """The charts of the user's scope or of a region inside it (?region=), one level down."""
    today = timezone.localdate()
    region = request.GET.get("region", "")
    scope, charts = charts_for(request.user, region_code=region, today=today)
    context = _context(request, f"统计图表：{scope.name}")
    context.update(scope=scope, charts=charts, charts_json=json.dumps(charts, cls=DjangoJSONEncoder))
    return TemplateResponse(request, "reports/statistics.html", context)
