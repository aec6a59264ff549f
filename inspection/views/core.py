from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from inspection.models import Standard
from stores.access import can_inspect, home_store_id, reads_overview


@require_GET
@login_required
def home(request):
    """Send each role to the page it opens the app for."""
    if can_inspect(request.user):
        return redirect("inspector-home")
    store_id = home_store_id(request.user)
    if store_id is not None:
        return redirect("store-detail", pk=store_id)
    if reads_overview(request.user):
        return redirect("dashboard")
    return render(request, "inspection/home.html", status=403)


@require_GET
@login_required
def standard_rules_json(request, version):
    standard = get_object_or_404(Standard, version=version)
    return JsonResponse(standard.rules(), json_dumps_params={"ensure_ascii": False})
