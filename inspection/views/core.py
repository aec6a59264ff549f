from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from inspection.models import Standard
from stores.access import membership_of, role_of
from stores.models import Role


@require_GET
@login_required
def home(request):
    """Send each role to the page it opens the app for."""
    role = role_of(request.user)
    if role == Role.INSPECTOR:
        return redirect("inspector-home")
    if role == Role.STORE_MANAGER:
        return redirect("store-detail", pk=membership_of(request.user).store_id)
    if role in (Role.BRANCH_MANAGER, Role.HEADQUARTERS, Role.ADMINISTRATOR):
        return redirect("dashboard")
    return render(request, "inspection/home.html", status=403)


@require_GET
@login_required
def standard_rules_json(request, version):
    standard = get_object_or_404(Standard, version=version)
    return JsonResponse(standard.rules(), json_dumps_params={"ensure_ascii": False})
