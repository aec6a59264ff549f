from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import Action


class EventFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"), choices=[("", _("全部"))] + Action.choices, required=False
    )
    user = forms.CharField(label=_("用户名"), max_length=150, required=False)
    since = forms.DateField(label=_("起始日期"), required=False)
    until = forms.DateField(label=_("截止日期"), required=False)
