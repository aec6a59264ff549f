from django.urls import include, path

from inspection.views import core

# Each area of the app owns one URL module.
urlpatterns = [
    path("standards/<str:version>/rules.json", core.standard_rules_json, name="standard-rules"),
    path("", include("inspection.urls_visits")),
    path("", include("inspection.urls_reports")),
    path("", include("inspection.urls_transfers")),
]
