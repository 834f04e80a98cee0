"""The phone pages (/m/): thin views over the field selectors and the lower floors' services — the one
visit service (households.visits.record_visit: client-made id, photos, location) and the 防返贫监测
入户核实 service (assistance.monitoring.services.visits.record_verification). A household or lead
outside the user's scope answers 404, as everywhere."""

from __future__ import annotations

import functools
import hashlib
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from assistance.monitoring.models import MonitoringLead, MonitoringVisit
from assistance.monitoring.services import visits as monitoring_visits
from core import privacy
from core.choices import Role
from core.permissions import role_of
from core.scoping import scoped
from field import selectors
from field.forms import CheckForm, DismissForm, HitCheckForm, VisitForm
from households import permissions, visit_proposals
from households.choices import FieldChange
from households.models import Member
from households.visits import VisitInput, record_visit
from reports.crosscheck import home_checks

# The service worker's caches carry a version: a digest of the files it precaches, so a changed
# stylesheet or script reaches the phones at their next visit without anyone bumping a number.
SHELL_FILES = ("field/field.css", "field/field.js", "field/vendor/idb-keyval-6.3.0/idb-keyval.umd.js")


NO_PHOTO = uuid.UUID(int=0)  # a photo address without its id: the service worker's photo route


@functools.cache
def shell_version() -> str:
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        digest.update(Path(finders.find(name)).read_bytes())
    return digest.hexdigest()[:12]


phone_login_required = login_required(login_url="field:login")
LIST_TITLES = {Role.HELPER: "我的帮扶户", Role.VILLAGE_CLERK: "本村农户"}


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


class FieldLoginView(LoginView):
    template_name = "field/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("field:home")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("field:login")


@phone_login_required
@require_GET
def my_households(request):
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 1
    q = request.GET.get("q", "").strip()[:30]
    role = role_of(request.user)
    title = LIST_TITLES.get(role, "查找农户")
    context = {"q": q, "page": page, "is_helper": role == Role.HELPER, "title": title}
    if q:  # the one search (households.search), in the user's scope: a helper's own households
        context.update(selectors.phone_search(request.user, q))
    elif not selectors.works_in_field(request.user):
        context["desk_note"] = selectors.DESK_NOTE
    else:
        context["cards"], context["more"] = selectors.my_households(
            request.user, page=page, today=timezone.localdate()
        )
    return render(request, "field/home.html", context)


@phone_login_required
@require_GET
def household_card(request, pk: int):
    household = selectors.household_for(request.user, pk)
    if household is None:
        raise Http404("未找到该户，或该户不在您的帮扶范围内")
    card = selectors.household_card(request.user, household, timezone.localdate())
    return render(
        request,
        "field/household.html",
        {"card": card, "h": household, "can_visit": permissions.can_record_visit(request.user)},
    )


def _visit_input(form: VisitForm, household, request) -> VisitInput:
    data = form.cleaned_data
    return VisitInput(
        household_id=household.pk,
        visit_date=data["visit_date"],
        content=data["content"],
        client_id=data.get("client_id"),
        met_persons=form.met_persons(),
        measures_delivered=data.get("measures_delivered") or "",
        problems=data.get("problems") or "",
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        accuracy_m=data.get("accuracy_m"),
        photos=data.get("photos") or [],
        proposed_changes=visit_proposals.proposal(
            data.get("change_kind") or "", data.get("change_value") or ""
        ),
    )


# A service's field name → the phone form's field that carries it (the 疑点 answer's names).
FIELD_ALIASES = {
    "answer_reason": "note",
    "attachment": "photos",
    "answer": "result",
    "visit_date": "visited_on",
}


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        name = FIELD_ALIASES.get(name, name) if name not in form.fields else name
        form.add_error(name if name in form.fields else None, errors)


@phone_login_required
def visit_form(request, pk: int):
    household = selectors.household_for(request.user, pk)
    if household is None:
        raise Http404("未找到该户，或该户不在您的帮扶范围内")
    if not permissions.can_record_visit(request.user):
        raise PermissionDenied("您的角色不能记录走访")
    members = list(Member.objects.filter(household=household, member_status="normal").order_by("pk"))
    form = VisitForm(request.POST or None, request.FILES or None, members=members)
    if request.method == "POST":
        if form.is_valid():
            try:
                visit, created = record_visit(user=request.user, data=_visit_input(form, household, request))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                card = reverse("field:household", args=[household.pk])
                if _wants_json(request):
                    return JsonResponse({"ok": True, "created": created, "url": card})
                messages.success(request, "走访记录已保存" if created else "该走访记录此前已上传，未重复保存")
                return redirect(card)
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
    return render(request, "field/visit.html", {"form": form, "h": household})


def _record_check(request, lead, form) -> bool:
    """The 入户核实 through the monitoring service; False (errors on the form) when it refuses."""
    data = form.cleaned_data
    try:
        monitoring_visits.record_verification(
            user=request.user, lead=lead, visited_on=data["visited_on"], visitors=data["visitors"],
            findings=data["findings"], risk_found=data["risk_found"], percap_income=data["percap_income"],
            risk_types=data["risk_types"], category=data["category"], risk_other=data["risk_other"],
            photos=data["photos"], helper=getattr(request.user, "helper_person", None),
            client_id=data.get("client_id"),
        )  # fmt: skip
    except IntegrityError:  # the same client id sent twice at once: the other request stored it
        if not MonitoringVisit.objects.filter(client_id=data.get("client_id")).exists():
            raise
    except ValidationError as exc:
        _add_errors(form, exc)
        return False
    return True


@phone_login_required
def lead_check(request, pk: int):
    lead = (
        scoped(MonitoringLead.objects.filter(household__isnull=False), request.user)
        .select_related("household", "village")
        .filter(pk=pk)
        .first()
    )
    household = selectors.household_for(request.user, lead.household_id) if lead else None
    if household is None:
        raise Http404("未找到该线索，或不在您的范围内")
    form = CheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        card = reverse("field:household", args=[household.pk])
        client_id = request.POST.get("client_id")
        sent_before = bool(client_id) and MonitoringVisit.objects.filter(
            client_id=client_id, created_by=request.user
        ).exists()  # fmt: skip
        if sent_before or (form.is_valid() and _record_check(request, lead, form)):
            if _wants_json(request):
                return JsonResponse({"ok": True, "created": not sent_before, "url": card})
            messages.success(request, "入户核实已保存")
            return redirect(card)
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
    return render(request, "field/lead.html", {"form": form, "lead": lead, "h": household})


def _saved(request, household, created: bool, message: str):
    card = reverse("field:household", args=[household.pk])
    if _wants_json(request):
        return JsonResponse({"ok": True, "created": created, "url": card})
    messages.success(request, message if created else "该记录此前已上传，未重复保存")
    return redirect(card)


@phone_login_required
def hit_check(request, pk: int):
    """入户核实 of a 疑点: a helper's check is evidence for the village; the clerk's is her answer."""
    hit = home_checks.open_hit_for(request.user, pk)
    household = selectors.household_for(request.user, hit.household_id) if hit else None
    if hit is None or household is None:
        raise Http404(home_checks.HIT_NOT_FOUND)
    if not permissions.can_record_visit(request.user):
        raise PermissionDenied("您的角色不能入户核实")
    answering = home_checks.answers_on_check(request.user)
    changes, stopped = selectors.hit_links(request.user, hit, answering)
    form = HitCheckForm(
        request.POST or None, request.FILES or None, hit=hit, change_requests=changes, stopped_cases=stopped
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                _, created = home_checks.record_hit_check(user=request.user, hit=hit, data=form.check_input())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                return _saved(
                    request,
                    household,
                    created,
                    "核实结果已答复，待乡镇确认" if answering else "入户核实已保存",
                )
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
    checks = home_checks.checks_of(request.user, [hit]).get(hit.pk, [])
    links = answering and (changes.exists() or stopped.exists())
    context = {
        "form": form,
        "hit": hit,
        "h": household,
        "answering": answering,
        "checks": checks,
        "links": links,
        "reason": privacy.scrub(hit.reason),  # personal numbers masked, as on the card
    }
    return render(request, "field/hit.html", context)


@phone_login_required
def proposal(request, pk: int):
    """走访发现信息变化 for the village clerk: to a change request, or dismissed with a reason. Online
    only: both go through the registry's chain at once."""
    visit = selectors.proposal_visit(request.user, pk)
    if visit is None:
        raise Http404("未找到该信息变化，或不在您的范围内")
    form = DismissForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "dismiss":
                visit_proposals.dismiss(visit=visit, user=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, "已不予采纳，理由已记录")
            else:
                visit_proposals.to_change_request(visit=visit, user=request.user)
                messages.success(request, "已转为变更申请，报乡镇审核")
            return redirect("field:todo")
        except ValidationError as exc:
            _add_errors(form, exc)
    context = {
        "visit": visit,
        "h": visit.household,
        "form": form,
        "is_phone": visit.proposed_changes.get("kind") == FieldChange.PHONE,
    }
    return render(request, "field/proposal.html", context)


@phone_login_required
@require_GET
def todo(request):
    if not selectors.works_in_field(request.user):
        return render(request, "field/todo.html", {"desk_note": selectors.DESK_NOTE})
    return render(request, "field/todo.html", {"todo": selectors.todo(request.user, timezone.localdate())})


@never_cache
@require_GET
def sync(request):
    """What the phone keeps for offline work: its households' pages and the photos their cards show
    (a household that left the user's scope is dropped from the phone at this call), and a fresh
    CSRF token for the upload."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False, "login": reverse("field:login")}, status=401)
    kept = selectors.sync_pages(request.user)
    pages = [reverse("field:home"), reverse("field:todo")]
    for pk in kept.households:
        pages += [reverse("field:household", args=[pk]), reverse("field:visit", args=[pk])]
    pages += [reverse("field:lead", args=[pk]) for pk in kept.leads]
    pages += [reverse("field:hit", args=[pk]) for pk in kept.hits]
    photos = [reverse("households:visit-photo", args=[pk]) for pk in kept.photos]
    return JsonResponse(
        {"ok": True, "user": request.user.username, "csrf": get_token(request), "pages": pages,
         "photos": photos, "now": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    )  # fmt: skip


@require_GET
def service_worker(request):
    context = {
        "version": shell_version(),
        "photo_prefix": reverse("households:visit-photo", args=[NO_PHOTO]).removesuffix(f"{NO_PHOTO}/"),
        "photo_limit": selectors.PHOTO_LIMIT,
    }
    body = render_to_string("field/sw.js", context, request=request)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:home")
    response["Cache-Control"] = "no-cache"
    return response
