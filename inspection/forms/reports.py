"""Forms of the reports pages: the month and filter pickers, and the bonus award."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inspection.models import BonusCriterion
from inspection.months import parse_month
from inspection.queries import rankings
from inspection.rules import localized
from stores.models import Branch, Category


def month_choices(months: list[dt.date]) -> list[tuple[str, str]]:
    return [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in months]


class ResultsMonthForm(forms.Form):
    """A month among those with published results; unbound or invalid means the newest."""

    month = forms.ChoiceField(label=_("月份"), required=False)

    def __init__(self, data=None, *, months: list[dt.date], default: dt.date | None = None):
        super().__init__(data)
        self.months = months
        self.fields["month"].choices = month_choices(months)
        self.default = default or (months[0] if months else None)
        if self.default:
            self.initial["month"] = f"{self.default:%Y-%m}"
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "d-print-none"
        self.helper.layout = Layout(
            Row(
                Column("month", css_class="col-auto"),
                Column(
                    Submit("", _("查看"), css_class="btn-primary mb-3"),
                    css_class="col-auto d-flex align-items-end",
                ),
                css_class="g-2",
            )
        )

    def clean_month(self) -> dt.date | None:
        value = self.cleaned_data["month"]
        return parse_month(value) if value else self.default

    def defaults(self) -> dict:
        return {"month": self.default}

    def filters(self) -> dict:
        """The valid values given, and the defaults for the rest (first visit, bad link)."""
        values = self.defaults()
        if self.is_bound:
            self.is_valid()
            values.update(self.cleaned_data)
        return values


class RankingsForm(ResultsMonthForm):
    view = forms.ChoiceField(
        label=_("排名方式"),
        choices=[
            (rankings.VIEW_OVERALL, _("总排名")),
            (rankings.VIEW_CATEGORY, _("按同类厅")),
            (rankings.VIEW_BRANCH, _("按分公司")),
        ],
        required=False,
    )
    branch = forms.ModelChoiceField(
        label=_("分公司"),
        queryset=Branch.objects.order_by("code"),
        required=False,
        empty_label=_("全部分公司"),
    )
    category = forms.ChoiceField(
        label=_("营业厅类别"),
        choices=[("", _("全部类别")), *Category.choices],
        required=False,
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, months, sections_for):
        """`sections_for(month)` gives the scored sections of the standard in force then:
        their codes are sortable columns too."""
        super().__init__(data, months=months)
        self.sections_for = sections_for
        self.sections = []
        self.helper.layout = Layout(
            Row(
                Column("month", css_class="col-6 col-md-auto"),
                Column("view", css_class="col-6 col-md-auto"),
                Column("branch", css_class="col-6 col-md-auto"),
                Column("category", css_class="col-6 col-md-auto"),
                Field("sort"),
                Column(
                    Submit("", _("查看"), css_class="btn-primary mb-3"),
                    css_class="col-auto d-flex align-items-end",
                ),
                css_class="g-2",
            )
        )

    def clean_view(self) -> str:
        return self.cleaned_data["view"] or rankings.VIEW_OVERALL

    def clean(self):
        data = super().clean()
        # A bad month falls back to the default one, and the sort is checked against
        # the sections of whichever month is shown.
        month = data.get("month") or self.default
        if month:
            self.sections = self.sections_for(month)
        sort = data.get("sort") or "rank"
        if sort.removeprefix("-") in rankings.sort_columns(self.sections):
            data["sort"] = sort
        else:
            # The sort field is hidden, so its error is shown for the whole form.
            data.pop("sort", None)
            self.add_error(None, _("无法按该列排序。"))
        return data

    def defaults(self) -> dict:
        return {
            "month": self.default,
            "view": rankings.VIEW_OVERALL,
            "branch": None,
            "category": "",
            "sort": "rank",
        }

    def filters(self) -> dict:
        values = super().filters()
        if not self.sections and values["month"]:
            self.sections = self.sections_for(values["month"])
        return values


class CriterionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: BonusCriterion) -> str:
        return f"{obj.code} {localized(obj.name, obj.name_en)}"


class BonusAwardForm(forms.Form):
    """Only the shape of an award is checked here; rule 9 itself is the service's, which
    reports every refusal at once."""

    # Choices from 1 to the standard's ceiling, set per form.
    points = forms.TypedChoiceField(label=_("加分"), coerce=int, widget=forms.RadioSelect)
    criteria = CriterionChoiceField(
        label=_("符合的加分项目"),
        queryset=BonusCriterion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    highlight = forms.CharField(
        label=_("创新或服务亮点"),
        help_text=_("写明值得在全区推广的做法。"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, data=None, *, standard):
        super().__init__(data)
        self.fields["points"].choices = [
            (points, ngettext("%(points)s分", "%(points)s分", points) % {"points": points})
            for points in range(1, standard.bonus_max_points + 1)
        ]
        self.fields["criteria"].queryset = standard.bonus_criteria.order_by("order")
        self.helper = FormHelper()
        self.helper.form_tag = False
