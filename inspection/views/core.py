from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from inspection.models import Standard


@login_required
def home(request):
    return render(request, "inspection/home.html")


@require_GET
@login_required
def standard_rules_json(request, version):
    standard = get_object_or_404(Standard, version=version)
    return JsonResponse(standard.rules(), json_dumps_params={"ensure_ascii": False})
