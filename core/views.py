"""JSON endpoints of the cascading region picker: both answer only inside the user's scope."""

from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Q
from django.http import JsonResponse

from core import scoping
from core.choices import RegionLevel

SEARCH_LIMIT = 20
CHILDREN_LIMIT = 1000  # a county has ~20 townships, a township ~50 villages


def _row(region, path: str = "") -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "level_label": RegionLevel(region.level).label,
        "path": path or region.name,
    }


@staff_member_required
def region_children(request):
    """The children of one region; without `parent`, the user's own region (the top of their scope)."""
    parent = request.GET.get("parent", "")
    qs = scoping.regions_for(request.user).only("code", "name", "level")
    prefix = scoping.region_prefix_for(request.user)
    if parent:
        qs = qs.filter(parent_id=parent)
    elif prefix == "":
        qs = qs.filter(parent__isnull=True)
    else:
        qs = qs.filter(code=request.user.region_id)
    return JsonResponse({"results": [_row(r) for r in qs.order_by("code")[:CHILDREN_LIMIT]]})


@staff_member_required
def region_search(request):
    """Villages (or another `level`) whose name contains `q` or whose code starts with it, at most 20."""
    term = request.GET.get("q", "").strip()
    try:
        level = RegionLevel(int(request.GET.get("level", RegionLevel.VILLAGE)))
    except ValueError:
        level = RegionLevel.VILLAGE
    if not term:
        return JsonResponse({"results": []})
    qs = scoping.regions_for(request.user).filter(level=level)
    match = Q(name__contains=term)
    if term.isdigit():
        match |= Q(code__startswith=term)
    qs = qs.filter(match).select_related("parent", "parent__parent").order_by("code")[:SEARCH_LIMIT]
    rows = []
    for region in qs:
        names, node = [], region
        for _ in range(3):  # village ← township ← county is enough to tell two 东升村 apart
            if node is None:
                break
            names.append(node.name)
            node = node.parent
        rows.append(_row(region, " / ".join(reversed(names))))
    return JsonResponse({"results": rows})
