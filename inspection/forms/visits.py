"""Forms of the visit pages: the tablet's autosave and submit requests, photos,
review decisions and amendments. They only validate."""

import json
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inspection import scoring
from inspection.models import ItemKind
from inspection.models.visits import validate_visit_time

PHOTO_MAX_BYTES = 5 * 1024 * 1024
FINDING_KEYS = {"occurrences", "points", "measurement", "peak", "na", "na_reason", "note"}
TEXT_LABELS = {"na_reason": _("不适用原因"), "note": _("备注")}


def storable(text: str) -> bool:
    """Whether the database can keep a text: PostgreSQL refuses NUL characters, and
    no database encodes a lone surrogate (which JSON can carry)."""
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


def validate_storable(text: str) -> None:
    if not storable(text):
        raise ValidationError(_("含有无法保存的字符。"))


def _clean_finding(item, raw) -> dict:
    """One finding as the tablet sends it, type-checked; the scoring rules are
    checked at submission (services.visits.visit_validate), since drafts may be incomplete."""
    if not isinstance(raw, dict) or set(raw) - FINDING_KEYS:
        raise ValidationError(_("%(code)s 的数据格式不正确。") % {"code": item.code})
    occurrences = raw.get("occurrences") or 0
    if not isinstance(occurrences, int) or isinstance(occurrences, bool) or occurrences < 0:
        raise ValidationError(_("%(code)s 的次数必须是不小于0的整数。") % {"code": item.code})
    if occurrences > scoring.MAX_OCCURRENCES:
        raise ValidationError(
            _("%(code)s 的次数不能超过%(max)s。")
            % {"code": item.code, "max": scoring.MAX_OCCURRENCES}
        )
    if item.once:
        occurrences = min(occurrences, 1)
    points = raw.get("points") or []
    if not isinstance(points, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in points
    ):
        raise ValidationError(_("%(code)s 的扣分必须是整数。") % {"code": item.code})
    # A draft may hold a 0 not yet filled in; anything past the item's range is refused
    # now, since the stored deduction could not hold it.
    highest = item.points_max or item.points
    if len(points) > scoring.MAX_OCCURRENCES or not all(0 <= p <= highest for p in points):
        raise ValidationError(
            _("%(code)s 的扣分超出范围（每个要点0–%(max)s分）。")
            % {"code": item.code, "max": highest}
        )
    measurement = raw.get("measurement")
    if measurement is not None:
        try:
            measurement = Decimal(str(measurement))
        except InvalidOperation:
            raise ValidationError(
                _("%(code)s 的测量值必须是数字。") % {"code": item.code}
            ) from None
        # Finding.measurement keeps one decimal, below 100,000 and never negative.
        if not measurement.is_finite() or not 0 <= measurement < Decimal("99999.95"):
            raise ValidationError(_("%(code)s 的测量值超出范围。") % {"code": item.code})
        measurement = float(measurement)
    texts = {}
    for key, limit in (("na_reason", 300), ("note", 2000)):
        value = raw.get(key) or ""
        if not isinstance(value, str) or len(value) > limit:
            raise ValidationError(
                _("%(code)s 的文字太长（最多%(limit)s字）。") % {"code": item.code, "limit": limit}
            )
        if not storable(value):
            raise ValidationError(
                _("%(code)s 的%(field)s含有无法保存的字符。")
                % {"code": item.code, "field": TEXT_LABELS[key]}
            )
        texts[key] = value
    if raw.get("na") and not texts["na_reason"].strip():
        raise ValidationError(_("%(code)s 标记为不适用时必须填写原因。") % {"code": item.code})
    return {
        "occurrences": occurrences,
        "points": points,
        "measurement": measurement,
        "peak": bool(raw.get("peak")),
        "na": bool(raw.get("na")),
        **texts,
    }


class DraftForm(forms.Form):
    """The autosave request: the revision the tablet started from, the visit time,
    every finding, and the ids that make a repeated request recognisable."""

    revision = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    device = forms.CharField(max_length=64, validators=[validate_storable])
    save_id = forms.CharField(max_length=64, validators=[validate_storable])
    visited_at = forms.DateTimeField(label=_("检查时间"), validators=[validate_visit_time])
    findings = forms.JSONField()

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.code: item for item in items}

    def clean_findings(self) -> dict:
        raw = self.cleaned_data["findings"]
        if not isinstance(raw, dict):
            raise ValidationError(_("检查发现的数据格式不正确。"))
        unknown = sorted(set(raw) - set(self.items))
        if unknown:
            raise ValidationError(_("未知的检查细项编码 %(code)s。") % {"code": unknown[0]})
        return {code: _clean_finding(self.items[code], value) for code, value in raw.items()}

    @classmethod
    def from_json(cls, body: bytes, *, items) -> "DraftForm":
        try:
            data = json.loads(body)
            findings = json.dumps(data.get("findings"), ensure_ascii=False)
        # Not JSON, not an object, or nested past the parser's recursion limit: every
        # field is then missing, and the answer says so.
        except (ValueError, UnicodeDecodeError, AttributeError, RecursionError):
            data, findings = {}, "null"
        return cls(
            {
                "revision": data.get("revision"),
                "device": data.get("device"),
                "save_id": data.get("save_id"),
                "visited_at": data.get("visited_at"),
                "findings": findings,
            },
            items=items,
        )


class SubmitForm(forms.Form):
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    key = forms.CharField(max_length=64, widget=forms.HiddenInput)


class PhotoForm(forms.Form):
    item = forms.CharField(max_length=12)
    client_key = forms.CharField(max_length=64)
    # Django's ImageField opens the upload with Pillow, so only real images pass.
    image = forms.ImageField(label=_("照片"))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.code: item for item in items}

    def clean_item(self):
        code = self.cleaned_data["item"]
        if code not in self.items:
            raise ValidationError(_("未知的检查细项编码 %(code)s。") % {"code": code})
        return self.items[code]

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image.size > PHOTO_MAX_BYTES:
            raise ValidationError(
                _("照片太大（最大%(mb)s MB），请重新拍摄。") % {"mb": PHOTO_MAX_BYTES // 2**20}
            )
        if image.image.format not in ("JPEG", "PNG", "WEBP"):
            raise ValidationError(_("只能上传 JPEG、PNG 或 WebP 照片。"))
        return image


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("检查员会在首页看到这条原因。"),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("退回时必须填写原因。"))
        return reason


class AmendForm(forms.Form):
    """A correction of a published visit: a reason and every item's finding,
    one row of fields per item."""

    reason = forms.CharField(
        label=_("修改原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            current = findings.get(item.code, {})
            prefix = f"f_{item.code}_"
            if item.kind == ItemKind.FIXED:
                self.fields[prefix + "occurrences"] = forms.IntegerField(
                    min_value=0,
                    max_value=1 if item.once else 99,
                    initial=current.get("occurrences") or 0,
                    required=False,
                )
            elif item.kind == ItemKind.RANGED:
                self.fields[prefix + "points"] = forms.CharField(
                    required=False,
                    initial=",".join(str(p) for p in current.get("points") or []),
                    help_text=_("每个要点的扣分，用逗号分隔，如 4,5"),
                )
            else:
                self.fields[prefix + "measurement"] = forms.DecimalField(
                    required=False,
                    min_value=0,
                    max_digits=6,
                    decimal_places=1,
                    initial=current.get("measurement"),
                )
                if item.limit_rules:
                    self.fields[prefix + "peak"] = forms.BooleanField(
                        label=_("高峰期或雨雪天"),
                        required=False,
                        initial=current.get("peak", False),
                    )
                if item.lapse:
                    self.fields[prefix + "lapse"] = forms.BooleanField(
                        label=_("现场发现不符合"),
                        required=False,
                        initial=bool(current.get("occurrences")),
                    )
            self.fields[prefix + "na"] = forms.BooleanField(
                required=False, initial=current.get("na", False)
            )
            self.fields[prefix + "na_reason"] = forms.CharField(
                required=False, max_length=300, initial=current.get("na_reason", "")
            )
            self.fields[prefix + "note"] = forms.CharField(
                required=False, max_length=2000, initial=current.get("note", "")
            )

    def rows(self):
        """(item, bound fields) for the template, in the standard's order."""
        for item in self.items:
            prefix = f"f_{item.code}_"
            yield item, [self[name] for name in self.fields if name.startswith(prefix)]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("修改已发布的检查必须填写原因。"))
        return reason

    def clean(self):
        data = super().clean()
        findings = {}
        for item in self.items:
            prefix = f"f_{item.code}_"
            points_text = (data.get(prefix + "points") or "").replace("，", ",")
            try:
                points = [int(p) for p in points_text.split(",") if p.strip()]
            except ValueError:
                self.add_error(prefix + "points", _("扣分必须是用逗号分隔的整数。"))
                points = []
            measurement = data.get(prefix + "measurement")
            findings[item.code] = {
                # An observed lapse (A4-03) is the measured item's one occurrence.
                "occurrences": data.get(prefix + "occurrences")
                or int(bool(data.get(prefix + "lapse"))),
                "points": points,
                "measurement": None if measurement is None else float(measurement),
                "peak": bool(data.get(prefix + "peak")),
                "na": bool(data.get(prefix + "na")),
                "na_reason": data.get(prefix + "na_reason") or "",
                "note": data.get(prefix + "note") or "",
            }
        data["findings"] = findings
        return data
