"""The as-you-type ID check of the member form, and visit photos (scoped)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from core import scoping
from core.idcard import normalize_id, parse_id
from households.choices import Sex


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

    photo = scoping.scoped(VisitPhoto.objects.all(), request.user).filter(pk=photo_id).first()
    if photo is None or not photo.image:
        raise Http404("未找到照片")
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
