import zipfile

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class SpreadsheetUploadForm(forms.Form):
    """An .xlsx file: checked by size, name and content before anything reads it."""

    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件太大（%(size)s），最大 %(max)s。"),
                params={
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(MAX_UPLOAD_BYTES),
                },
                code="too_large",
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("只能上传 Excel 工作簿（.xlsx）；.xls、.csv 请先在 Excel 中另存为 .xlsx。"),
                code="extension",
            )
        # A renamed file or a corrupt download is not a zip holding a workbook.
        try:
            with zipfile.ZipFile(upload) as archive:
                is_workbook = "xl/workbook.xml" in archive.namelist()
        except zipfile.BadZipFile:
            is_workbook = False
        upload.seek(0)
        if not is_workbook:
            raise forms.ValidationError(
                _("该文件不是有效的 Excel 工作簿（.xlsx），请用 Excel 重新保存后上传。"),
                code="not_xlsx",
            )
        return upload


class VisitUploadForm(SpreadsheetUploadForm):
    publish = forms.BooleanField(
        label=_("导入后立即发布（不勾选则保存为草稿）"), required=False, initial=True
    )
