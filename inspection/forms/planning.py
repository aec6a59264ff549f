"""Forms of the planning page: the month and filters shown, auto-planning a scope,
and moving selected planned visits to another inspector or date."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inspection.months import month_range_message, parse_month
from inspection.queries.planning import PlanStatus
from stores.models import Category

# A bulk change covers at most the rows of a few pages: anything larger is a mistake.
MAX_SELECTED = 200


class PlanMonthForm(forms.Form):
    """A month as YYYY-MM within the months the app knows; blank means none given."""

    month = forms.CharField(required=False)

    def clean_month(self) -> dt.date | None:
        text = self.cleaned_data["month"]
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError:
            raise ValidationError(month_range_message()) from None


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        branch = getattr(getattr(user, "membership", None), "branch", None)
        name = user.get_full_name() or user.username
        return f"{name}（{branch.name}）" if branch else name


class PlanFilterForm(PlanMonthForm):
    """What the plan lists; a bad value is reported and that filter left out."""

    branch = forms.ModelChoiceField(queryset=None, label=_("分公司"), required=False)
    category = forms.ChoiceField(
        label=_("营业厅类别"), choices=[("", "—"), *Category.choices], required=False
    )
    inspector = InspectorChoiceField(queryset=None, label=_("检查员"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部计划")), *PlanStatus.choices], required=False
    )
    planned_on = forms.DateField(
        label=_("计划日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("编码或名称"), max_length=50, required=False)

    def __init__(self, data, *, branches, inspectors):
        super().__init__(data)
        self.fields["branch"].queryset = branches
        self.fields["inspector"].queryset = inspectors
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "plan-filter"
        self.helper.layout = Layout(
            "month",
            "status",
            "branch",
            "category",
            "inspector",
            "planned_on",
            "q",
            Submit("filter", _("筛选"), css_class="w-100"),
        )
        self.fields["month"].widget = forms.HiddenInput()

    def filters(self) -> dict:
        """The valid filters (an invalid one is left out, its error shown)."""
        self.is_valid()
        return {
            name: self.cleaned_data.get(name) or None
            for name in ("branch", "category", "inspector", "status", "planned_on", "q")
        }


class AutoPlanForm(forms.Form):
    ALL, BRANCH, UNPLANNED = "all", "branch", "unplanned"

    month = forms.CharField(widget=forms.HiddenInput)
    scope = forms.ChoiceField(
        label=_("范围"),
        choices=[
            (ALL, _("所有营业厅")),
            (BRANCH, _("一个分公司的营业厅")),
            (UNPLANNED, _("没有安排的营业厅")),
        ],
        initial=UNPLANNED,
    )
    branch = forms.ModelChoiceField(
        queryset=None,
        label=_("分公司"),
        required=False,
        help_text=_("选了分公司，只安排该分公司的营业厅。"),
    )
    visits_per_store = forms.IntegerField(
        label=_("每厅检查次数"), min_value=1, max_value=5, initial=1
    )
    clean_month = PlanMonthForm.clean_month

    def __init__(self, *args, branches, **kwargs):
        # Beside the filters on one page: ids of its own.
        super().__init__(*args, auto_id="autoplan_%s", **kwargs)
        self.fields["branch"].queryset = branches
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.BRANCH and not data.get("branch"):
            self.add_error("branch", _("请选择要安排的分公司。"))
        return data


class AddForm(forms.Form):
    """The ticked unplanned stores and who goes there (and when, if known)."""

    month = forms.CharField(widget=forms.HiddenInput)
    stores = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("请先勾选要安排的营业厅。"),
            "invalid_list": _("所选的营业厅不存在、已有安排或不在您的范围内。"),
            "invalid_choice": _("所选的营业厅不存在、已有安排或不在您的范围内。"),
            "invalid_pk_value": _("所选的营业厅不存在、已有安排或不在您的范围内。"),
        },
    )
    inspector = InspectorChoiceField(queryset=None, label=_("安排检查员"))
    planned_on = forms.DateField(
        label=_("计划日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    clean_month = PlanMonthForm.clean_month

    def __init__(self, *args, stores, inspectors, **kwargs):
        super().__init__(*args, auto_id="add_%s", **kwargs)
        self.fields["stores"].queryset = stores
        self.fields["inspector"].queryset = inspectors

    def clean_stores(self):
        selected = self.cleaned_data["stores"]
        if len(selected) > MAX_SELECTED:
            raise ValidationError(
                _("一次最多安排 %(max)s 个营业厅。"), params={"max": MAX_SELECTED}
            )
        return selected


class ReassignForm(forms.Form):
    """The selected planned visits and where they go: another inspector, another day,
    or both. Whether each visit may go there is the service's to check."""

    month = forms.CharField(widget=forms.HiddenInput)
    assignments = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("请先勾选要调整的计划。"),
            "invalid_list": _("所选的计划不存在或不在您的范围内。"),
            "invalid_choice": _("所选的计划不存在或不在您的范围内。"),
            "invalid_pk_value": _("所选的计划不存在或不在您的范围内。"),
        },
    )
    inspector = InspectorChoiceField(queryset=None, label=_("改派给检查员"), required=False)
    planned_on = forms.DateField(
        label=_("改到日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    clean_month = PlanMonthForm.clean_month

    def __init__(self, *args, assignments, inspectors, **kwargs):
        super().__init__(*args, auto_id="reassign_%s", **kwargs)
        self.fields["assignments"].queryset = assignments
        self.fields["inspector"].queryset = inspectors
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_assignments(self):
        selected = self.cleaned_data["assignments"]
        if len(selected) > MAX_SELECTED:
            raise ValidationError(_("一次最多调整 %(max)s 次计划。"), params={"max": MAX_SELECTED})
        return selected

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("inspector") and not data.get("planned_on"):
            raise ValidationError(_("请选择新的检查员或新的日期。"))
        return data
