"""JSON endpoints of the cascading region picker (both answer only inside the user's scope) and the
as-you-type ID check of the member form."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from households import selectors
from households.choices import RegionLevel, Sex
from households.idcard import normalize_id, parse_id

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
    qs = selectors.regions_for(request.user).only("code", "name", "level")
    prefix = selectors.region_prefix_for(request.user)
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
    qs = selectors.regions_for(request.user).filter(level=level)
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


@staff_member_required
@require_POST
def id_check(request):
    """As the clerk types a member's ID (htmx, POST so the number is never in a URL or access log):
    '校验码错误' without the right digit, or the birth date and sex the number encodes."""
    name = request.headers.get("HX-Trigger-Name") or ""
    raw = request.POST.get(name) if name.endswith("id_no") else None
    if raw is None:
        raw = next((value for key, value in request.POST.items() if key.endswith("id_no")), "")
    context = {"empty": not normalize_id(raw)}
    if not context["empty"]:
        try:
            facts = parse_id(raw)
        except ValidationError as exc:
            context["error"] = "；".join(exc.messages)
        else:
            context.update(birth_date=facts.birth_date, sex=facts.sex, sex_label=Sex(facts.sex).label)
    return render(request, "households/id_check.html", context)


@require_GET
def visit_photo(request, photo_id):
    """A visit photo, only to those who may see the household (scoped: 404 otherwise). Photos have no
    public media URL; the response is private to the browser that asked. Anonymous: 404 as well
    (scoped() gives nothing), so a photo address tells nobody whether it exists."""
    from households.models import VisitPhoto

    photo = selectors.scoped(VisitPhoto.objects.all(), request.user).filter(pk=photo_id).first()
    if photo is None or not photo.image:
        raise Http404("未找到照片")
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
