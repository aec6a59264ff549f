from django.contrib import admin

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
        "revision",
    ]
    inlines = [FindingInline, AmendmentInline]


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
