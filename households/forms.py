from django import forms
from django.core.exceptions import ValidationError

from core import scoping
from households import visits
from households.choices import PovertyCause, Relation
from households.models import Household, Member
from households.validators import check_causes
from households.widgets import IdNumberInput, RowAutocompleteSelect

VILLAGE_OUT_OF_SCOPE = "所选村不在您的管辖范围内，不能为其录入或提交农户"
HEAD_EXACTLY_ONE = "每户必须有且只有一名在册户主（当前 {n} 名）"
DUPLICATE_ID_IN_HOUSEHOLD = "身份证号 {id_no} 在本户中重复出现"


class HouseholdAdminForm(forms.ModelForm):
    other_causes = forms.MultipleChoiceField(
        label="其他致贫原因",
        choices=PovertyCause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="最多选两项",
    )
    user = None  # set by the admin: the form checks the village against the user's scope

    class Meta:
        model = Household
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what shows

    def clean_village(self):
        village = self.cleaned_data.get("village")
        if village is not None and self.user is not None and not scoping.is_in_scope(self.user, village.code):
            raise ValidationError(VILLAGE_OUT_OF_SCOPE)
        return village

    def clean(self):
        cleaned = super().clean()
        main = cleaned.get("main_cause")
        try:
            check_causes([main] if main else [], cleaned.get("other_causes") or [])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, messages)
        return cleaned


class MemberAdminForm(forms.ModelForm):
    """A member row of the household page: the ID checked as it is typed."""

    class Meta:
        model = Member
        fields = "__all__"  # noqa: DJ007 - the inline's fieldsets choose what shows
        widgets = {"id_no": IdNumberInput(attrs={"class": "vTextField"})}


class HouseholdRowsFormSet(forms.BaseInlineFormSet):
    """The rows of a household's page know their household without reading it again (a 结对帮扶
    row is shown as "帮扶人 → 户编号 户主": two queries a row before), and a row's autocomplete picker
    shows the choice the row was read with (its helper: one query a row before)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None:
            setattr(form.instance, self.fk.name, self.instance)
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside the admin's wrapper
            related = form.instance._state.fields_cache.get(name)
            if isinstance(widget, RowAutocompleteSelect) and related is not None:
                widget.known = {
                    str(getattr(related, field.to_field_name or "pk")): field.label_from_instance(related)
                }
        return form


class VisitFormSet(HouseholdRowsFormSet):
    """The 走访记录 rows of a household's page: a new row's 记录人 is the person entering it
    (households.visits.stamp_recorder), set by the admin as `recorder`; stored rows keep theirs."""

    recorder = None

    def save_new(self, form, commit=True):
        visits.stamp_recorder(form.instance, self.recorder)
        return super().save_new(form, commit=commit)


class MemberInlineFormSet(forms.BaseInlineFormSet):
    """Across the household: exactly one active 户主 and no ID twice."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        heads, seen = 0, set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            if data.get("relation") == Relation.HEAD and data.get("member_status", "normal") == "normal":
                heads += 1
            # Outside the edit-form exception the ID is shown masked and read-only: the stored one.
            id_no = data.get("id_no") or getattr(form.instance, "id_no", "")
            if id_no and id_no in seen:
                raise ValidationError(DUPLICATE_ID_IN_HOUSEHOLD.format(id_no=id_no))
            seen.add(id_no)
        if heads != 1:
            raise ValidationError(HEAD_EXACTLY_ONE.format(n=heads))
