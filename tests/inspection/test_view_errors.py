from django.core.exceptions import ValidationError

from inspection.forms.planning import AutoPlanForm
from inspection.views.errors import error_messages
from stores.models import Branch


def test_a_refusal_gives_its_messages_in_order():
    assert error_messages(ValidationError(["第一条", "第二条"])) == ["第一条", "第二条"]


def test_a_form_gives_every_fields_messages_in_field_order():
    form = AutoPlanForm(
        {"month": "2026-13", "scope": "all", "visits_per_store": "9"},
        branches=Branch.objects.none(),
    )
    assert not form.is_valid()
    messages = error_messages(form)
    assert len(messages) == 2
    assert messages[0] == "请填写2000-01至2100-12之间的月份（YYYY-MM）。"
