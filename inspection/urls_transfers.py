from django.urls import path

from inspection.views import transfers

# URLs of the transfers pages: the monthly workbook and spreadsheet imports.
urlpatterns = [
    path("reports/<str:month>/workbook/", transfers.workbook_request, name="workbook-request"),
    path("workbooks/<int:pk>/", transfers.workbook_export, name="workbook-export"),
    path(
        "workbooks/<int:pk>/status/",
        transfers.workbook_export_status,
        name="workbook-export-status",
    ),
    path(
        "workbooks/<int:pk>/workbook.xlsx",
        transfers.workbook_export_download,
        name="workbook-export-download",
    ),
    path("imports/", transfers.imports_home, name="imports"),
    path("imports/<str:kind>/template.xlsx", transfers.import_template, name="import-template"),
    path("imports/<str:kind>/upload/", transfers.import_upload, name="import-upload"),
    path("imports/preview/<uuid:token>/", transfers.import_preview, name="import-preview"),
    path("imports/preview/<uuid:token>/confirm/", transfers.import_confirm, name="import-confirm"),
    path("imports/preview/<uuid:token>/discard/", transfers.import_discard, name="import-discard"),
]
