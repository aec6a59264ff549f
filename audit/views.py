import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.forms import EventFilterForm
from audit.models import AuditEvent
from stores.access import reads_audit, require

PAGE_SIZE = 50


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@require_GET
@login_required
def audit_events(request):
    require(request.user, reads_audit)
    form = EventFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_valid():
        wanted = form.cleaned_data
        if wanted["action"]:
            events = events.filter(action=wanted["action"])
        if wanted["user"]:
            events = events.filter(actor_name=wanted["user"])
        if wanted["since"]:
            events = events.filter(at__gte=_start_of(wanted["since"]))
        if wanted["until"]:
            events = events.filter(at__lt=_start_of(wanted["until"] + dt.timedelta(days=1)))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/events.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
