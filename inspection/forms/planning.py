"""Forms of the planning page: the month shown, auto-planning and one planned visit."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inspection.months import month_range_message, parse_month


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


class AutoPlanForm(forms.Form):
    month = forms.CharField(widget=forms.HiddenInput)
    visits_per_store = forms.IntegerField(
        label=_("每厅检查次数"), min_value=1, max_value=5, initial=1
    )
    clean_month = PlanMonthForm.clean_month


class AssignmentForm(forms.Form):
    """Add a planned visit or override who goes (the inspector list is limited to
    inspectors from other branches by the view)."""

    month = forms.CharField(widget=forms.HiddenInput)
    store = forms.ModelChoiceField(queryset=None, label=_("营业厅"))
    inspector = forms.ModelChoiceField(queryset=None, label=_("检查员"))
    planned_on = forms.DateField(
        label=_("计划日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    clean_month = PlanMonthForm.clean_month

    def __init__(self, *args, stores, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["inspector"].queryset = inspectors

    def clean(self):
        data = super().clean()
        store, inspector = data.get("store"), data.get("inspector")
        if store and inspector:
            home = getattr(getattr(inspector, "membership", None), "branch_id", None)
            if home == store.branch_id:
                self.add_error(
                    "inspector",
                    _("检查员不能检查本分公司的营业厅（神秘顾客必须是陌生人）。"),
                )
        return data
