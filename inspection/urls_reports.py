from django.urls import path

from inspection.views import reports

# URLs of the reports pages.
urlpatterns = [
    path("reports/rankings/", reports.rankings_page, name="rankings"),
    path("reports/overview/", reports.dashboard, name="dashboard"),
    path("reports/stores/<int:pk>/", reports.store_detail, name="store-detail"),
    path("reports/stores/<int:pk>/bonus/", reports.bonus_award, name="bonus-award"),
    path("reports/bonus/<int:pk>/revoke/", reports.bonus_revoke, name="bonus-revoke"),
]
