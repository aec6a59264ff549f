from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inspection.models import (
    BonusAward,
    BonusCriterion,
    Finding,
    Item,
    MonthlyResult,
    Part,
    Prohibition,
    Section,
    Standard,
    Visit,
    VisitAmendment,
)


class PartInline(admin.TabularInline):
    model = Part
    extra = 0


class BonusCriterionInline(admin.TabularInline):
    model = BonusCriterion
    extra = 0


class ProhibitionInline(admin.TabularInline):
    model = Prohibition
    extra = 0


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "effective_from"]
    inlines = [PartInline, ProhibitionInline, BonusCriterionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "points", "part", "parent", "is_scored", "standard"]
    list_filter = ["standard", "part"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "text",
        "section",
        "kind",
        "points",
        "once",
        "is_key",
        "red_line",
        "prohibition",
    ]
    list_filter = ["standard", "section", "kind", "once", "red_line"]
    search_fields = ["code", "text", "text_en"]
    list_select_related = ["section", "prohibition"]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = [
        "item",
        "occurrences",
        "points",
        "measurement",
        "peak",
        "not_applicable",
        "na_reason",
        "note",
        "deducted",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Findings are written by the tablet's autosave and by amendments only.
        return False


class AmendmentInline(admin.TabularInline):
    model = VisitAmendment
    extra = 0
    readonly_fields = [
        "amended_by",
        "amended_at",
        "reason",
        "total_before",
        "total_after",
        "changes",
    ]
    can_delete = False


# Once submitted, these make the visit's score; changing them here would skip the
# amendment record and the month's re-ranking.
SCORED_FIELDS = ["store", "inspector", "standard", "visited_at", "source"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    # Scores change only through the services (submit, publish, amend), never by hand here.
    list_display = [
        "store",
        "visited_at",
        "inspector",
        "status",
        "total",
        "zeroed",
        "red_line",
        "source",
    ]
    list_filter = ["status", "source", "red_line", "zeroed", "store__branch", "store__category"]
    search_fields = ["store__code", "store__name", "inspector__username"]
    date_hierarchy = "visited_at"
    list_select_related = ["store", "inspector"]
    readonly_fields = [
        "section_scores",
        "total",
        "zeroed",
        "red_line",
        "status",
        "submitted_at",
        "published_at",
        "published_by",
        "return_reason",
        "returned_by",
        "returned_at",
        "revision",
    ]
    inlines = [FindingInline, AmendmentInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return [*SCORED_FIELDS, *self.readonly_fields]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.is_editable:
            return fieldsets
        (name, options), *rest = fieldsets
        notice = _(
            "这次检查已提交：营业厅、检查员、检查时间和检查发现在这里只读。"
            "已发布的检查请在应用的审核页面通过“更正”修改（记录原因并重新排名），"
            "未发布的请退回检查员。"
        )
        return [(name, {**options, "description": notice}), *rest]

    def has_delete_permission(self, request, obj=None):
        # Deleting a scored visit would change a month's results without re-ranking it.
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_editable)

    def get_actions(self, request):
        # The bulk delete would reach scored visits too.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(MonthlyResult)
class MonthlyResultAdmin(admin.ModelAdmin):
    list_display = [
        "month",
        "store",
        "visit_count",
        "base_score",
        "bonus",
        "total",
        "rank_overall",
        "rank_category",
        "rank_branch",
    ]
    list_filter = ["month", "store__branch", "store__category"]
    search_fields = ["store__code", "store__name"]
    list_select_related = ["store"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BonusAward)
class BonusAwardAdmin(admin.ModelAdmin):
    list_display = ["month", "store", "points", "awarded_by", "awarded_at"]
    list_filter = ["month"]
    search_fields = ["store__code", "store__name"]

    def has_add_permission(self, request):
        # Awards go through the rule-9 checks of inspection.services.bonus.bonus_award.
        return False
