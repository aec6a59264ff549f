from django.urls import path

from inspection.views import transfers

# URLs of the transfers pages: the monthly workbook and spreadsheet imports.
urlpatterns = [
    path("reports/<str:month>/workbook.xlsx", transfers.report_download, name="report-download"),
    path("imports/", transfers.imports_home, name="imports"),
    path("imports/<str:kind>/template.xlsx", transfers.import_template, name="import-template"),
    path("imports/<str:kind>/upload/", transfers.import_upload, name="import-upload"),
    path("imports/preview/<uuid:token>/", transfers.import_preview, name="import-preview"),
    path("imports/preview/<uuid:token>/confirm/", transfers.import_confirm, name="import-confirm"),
    path("imports/preview/<uuid:token>/discard/", transfers.import_discard, name="import-discard"),
]
