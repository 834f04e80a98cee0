"""The as-you-type ID check of the member form, visit photos (scoped) and the results page of the
one search box (households.search)."""

import secrets
from urllib.parse import urlencode

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

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
    # Asked again each time (no-cache): a photo whose household left the user's scope must not come
    # back from the browser's cache; the phone pages keep theirs in the service worker (field/sw.js).
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


SEARCH_SESSION = "search_full_id:"


@staff_member_required
@require_http_methods(["GET", "POST"])
def search_page(request):
    """查找: the header box and this page's box POST what was typed; the answer is a redirect to
    `?q=<what was typed>`, or for a full ID number to `?t=<token>` with the number kept in the
    session (it never reaches a URL or an access log). `fetch` callers (the header box opening a
    tab) get the address as JSON instead of the redirect."""
    from households import search

    if request.method == "POST":
        query = search.parse(request.POST.get("q", ""))
        if query.kind == search.NameKind.FULL_ID:
            token = secrets.token_urlsafe(9)
            request.session[f"{SEARCH_SESSION}{token}"] = query.text
            params = {"t": token}
        else:
            params = {"q": request.POST.get("q", "").strip()[:50]}
        url = f"{reverse('households:search')}?{urlencode(params)}"
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"url": url})
        return HttpResponseRedirect(url)
    shown, error = request.GET.get("q", "").strip()[:50], ""
    if "t" in request.GET:
        full = request.session.get(f"{SEARCH_SESSION}{request.GET['t']}", "")
        query = search.Query(full, search.NameKind.FULL_ID if full else search.NameKind.NONE)
        shown = search.masked_id(request.user, full)
    else:
        query = search.parse(shown)
        if query.kind == search.NameKind.FULL_ID:
            # Typed into an address by hand: not searched, not echoed back.
            query, shown, error = search.Query("", search.NameKind.NONE), "", search.FULL_ID_IN_URL
    groups = search.search(query, request.user)
    if shown and query.kind == search.NameKind.NONE and not error:
        error = search.TOO_SHORT
    return render(
        request,
        "households/search.html",
        {
            "title": "查找",
            "shown": shown,
            "groups": groups,
            "error": error,
            "searched": bool(shown) and not error,
            "limit": search.LIMIT,
        },
    )
