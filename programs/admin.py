"""Admin for programs: the catalogue (read-only), parameters (scoped edit), stored results."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from core import scoping
from programs import selectors, services
from programs.models import EligibilityResult, Parameter, Program, VillagePopulation
from programs.parameter_keys import KEYS, spec_for
from programs.wording import plain_text

PREFIX_OUTSIDE = "区划范围必须在您的管辖范围（{prefix}）之内"


class StaffOnlyMixin:
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # history is kept: parameters are closed by date, never deleted

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Program)
class ProgramAdmin(StaffOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "category", "rule_text", "source_text", "is_active"]
    list_filter = ["category", "is_active"]
    fields = ["name", "category", "rule_text", "source_text", "is_active"]
    readonly_fields = ["rule_text", "source_text"]

    @admin.display(description="政策要点")
    def rule_text(self, obj: Program) -> str:
        return plain_text(obj.rule)

    @admin.display(description="政策依据")
    def source_text(self, obj: Program) -> str:
        return plain_text(obj.source)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class _DryRun(Exception):
    pass


def _service_args(data) -> dict:
    return {
        "key": data["key"],
        "value": data["value"],
        "valid_from": data["valid_from"],
        "valid_to": data.get("valid_to"),
        "region_prefix": data.get("region_prefix") or "",
        "unit": data.get("unit"),
        "kind": data.get("kind") or None,
        "source": data["source"],
        "note": data.get("note") or "",
    }


class ParameterAddForm(forms.ModelForm):
    key = forms.ChoiceField(
        label="参数",
        choices=[(key, f"{key}（{spec.label}）") for key, spec in sorted(KEYS.items())],
        help_text="类型和单位按参数自动带出；新版本生效后，同一范围原版本自动截止到前一日",
    )
    user = None

    class Meta:
        model = Parameter
        fields = ["key", "region_prefix", "valid_from", "valid_to", "kind", "value", "unit", "source", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False
        self.fields["unit"].required = False

    def clean_region_prefix(self):
        value = self.cleaned_data.get("region_prefix") or ""
        prefix = scoping.region_prefix_for(self.user) if self.user else ""
        if prefix is None or not value.startswith(prefix):
            raise ValidationError(PREFIX_OUTSIDE.format(prefix=prefix or "无"))
        return value

    def clean(self):
        cleaned = super().clean()
        spec = spec_for(cleaned.get("key") or "")
        if spec is not None:
            cleaned["kind"] = spec.kind
            if not cleaned.get("unit"):
                cleaned["unit"] = spec.unit
        if not self.errors and self.user is not None:
            self._dry_run(cleaned)
        return cleaned

    def _dry_run(self, cleaned) -> None:
        """Run the real service in a savepoint and roll it back, so its errors show on the form."""
        try:
            with transaction.atomic():
                services.set_parameter(user=self.user, **_service_args(cleaned))
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def _post_clean(self):
        # The overlap with a running version is resolved by services.set_parameter (it closes the
        # running one), so the model's exclusion check must not run on the unsaved instance here.
        pass


@admin.register(Parameter)
class ParameterAdmin(StaffOnlyMixin, admin.ModelAdmin):
    list_display = ["key", "label", "scope", "valid_from", "valid_to", "value", "unit", "source_text"]
    list_filter = ["kind"]
    search_fields = ["key", "source", "=region_prefix"]
    ordering = ["key", "region_prefix", "valid_from"]
    list_per_page = 50
    readonly_fields = [
        "key",
        "region_prefix",
        "valid_from",
        "kind",
        "value",
        "unit",
        "created_by",
        "created_at",
    ]
    fields = [
        "key",
        "region_prefix",
        "valid_from",
        "valid_to",
        "kind",
        "value",
        "unit",
        "source",
        "note",
        "created_by",
        "created_at",
    ]

    @admin.display(description="名称")
    def label(self, obj: Parameter) -> str:
        return obj.label

    @admin.display(description="依据")
    def source_text(self, obj: Parameter) -> str:
        return plain_text(obj.source)

    @admin.display(description="区划范围", ordering="region_prefix")
    def scope(self, obj: Parameter) -> str:
        return obj.region_prefix or "全国"

    def get_queryset(self, request):
        return selectors.parameters_visible_to(request.user)

    def get_urls(self):
        from django.urls import path

        from programs import views_admin

        wrap = self.admin_site.admin_view
        return [
            path("whatif/", wrap(lambda r: views_admin.whatif_view(self, r)), name="programs_whatif"),
            path("villages/", wrap(lambda r: views_admin.villages_view(self, r)), name="programs_villages"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        from core.choices import Role
        from core.permissions import role_of

        extra_context = {
            **(extra_context or {}),
            "can_run_whatif": role_of(request.user) == Role.COUNTY_ADMIN,
        }
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request) -> bool:
        return services.can_edit_parameters(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return services.can_edit_parameters(request.user)
        return services.can_edit_parameter_scope(request.user, obj.region_prefix)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["created_by", "created_at"]
        return self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ParameterAddForm
            kwargs["fields"] = ParameterAddForm.Meta.fields
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        if obj is None:
            prefix = scoping.region_prefix_for(request.user) or ""
            form.base_fields["region_prefix"].initial = prefix
        return form

    def save_model(self, request, obj, form, change):
        if change:
            # Only valid_to, source and note are editable; the model constraints guard overlaps.
            obj.full_clean()
            obj.save()
            return
        created = services.set_parameter(user=request.user, **_service_args(form.cleaned_data))
        obj.pk = created.pk
        obj.refresh_from_db()


@admin.register(EligibilityResult)
class EligibilityResultAdmin(StaffOnlyMixin, admin.ModelAdmin):
    list_display = [
        "household_no",
        "program",
        "eligible",
        "monthly_amount",
        "annual_amount",
        "persons",
        "as_of",
    ]
    list_filter = ["program", "eligible"]
    list_select_related = ["household", "program"]
    search_fields = ["household__household_no"]
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return scoping.scoped(super().get_queryset(request), request.user)

    @admin.display(description="户编号", ordering="household__household_no")
    def household_no(self, obj: EligibilityResult) -> str:
        return obj.household.household_no

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VillagePopulation)
class VillagePopulationAdmin(StaffOnlyMixin, admin.ModelAdmin):
    list_display = ["village", "year", "agricultural_population", "source"]
    list_filter = ["year"]
    autocomplete_fields = ["village"]
    list_select_related = ["village"]

    def get_queryset(self, request):
        return scoping.scoped(super().get_queryset(request), request.user)

    def has_add_permission(self, request) -> bool:
        return services.can_edit_parameters(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return services.can_edit_parameters(request.user)
