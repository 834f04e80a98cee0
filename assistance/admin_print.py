"""Print pages in the admin frame: a village's 公示 list and a 低保 case's 审批表 (assistance.printing
builds them; the templates carry a print stylesheet and a 打印 button)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from assistance import printing
from core import scoping
from core.choices import RegionLevel
from core.models import Region


class PublicityPickForm(forms.Form):
    village = forms.ModelChoiceField(label="村", queryset=Region.objects.none(), to_field_name="code")
    on = forms.DateField(label="公示期内的日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = scoping.scoped(Region.objects.filter(level=RegionLevel.VILLAGE), user)
        self.fields["village"].queryset = villages.order_by("code")


class PrintDocumentsAdminMixin:
    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "print/publicity/",
                site.admin_view(self.print_publicity_view),
                name="assistance_dibaocase_print_publicity",
            ),
            path(
                "<path:object_id>/print/",
                site.admin_view(self.print_approval_view),
                name="assistance_dibaocase_print_approval",
            ),
            *super().get_urls(),
        ]

    def record_links(self, request, obj) -> list[tuple[str, str]]:
        on = obj.publicity_start or timezone.localdate()
        query = urlencode({"village": obj.household.village_id, "on": on.isoformat()})
        return [
            ("打印低保审批表", reverse("admin:assistance_dibaocase_print_approval", args=[obj.pk])),
            ("打印本村公示名单", reverse("admin:assistance_dibaocase_print_publicity") + "?" + query),
        ]

    def _page(self, request, template: str, title: str, **context):
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context},
        )

    def print_publicity_view(self, request):
        initial = {"on": timezone.localdate()}
        if getattr(request.user, "region", None) and request.user.region.level == RegionLevel.VILLAGE:
            initial["village"] = request.user.region_id
        form = PublicityPickForm(request.GET or None, user=request.user, initial=initial)
        sheet = None
        if form.is_bound and form.is_valid():
            sheet = printing.publicity_sheet(
                user=request.user, village_code=form.cleaned_data["village"].code, on=form.cleaned_data["on"]
            )
            if sheet is None:
                raise Http404
        title = sheet.title if sheet else "打印公示名单"
        return self._page(request, "admin/assistance/print/publicity.html", title, form=form, sheet=sheet)

    def print_approval_view(self, request, object_id):
        try:
            case_id = int(unquote(object_id))
        except ValueError:
            raise Http404 from None
        document = printing.approval_form(user=request.user, case_id=case_id)
        if document is None:
            raise Http404
        return self._page(
            request,
            "admin/assistance/print/approval.html",
            "农村最低生活保障审批表",
            doc=document,
            today=timezone.localdate(),
        )
