from django.contrib import admin

from stores.models import Branch, Membership, Store


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "branch",
        "category",
        "location_class",
        "counters",
        "has_rest_area",
        "opened_on",
        "is_active",
    ]
    list_filter = ["branch", "category", "location_class", "has_rest_area", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["branch"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "branch", "store"]
    list_filter = ["role", "branch"]
    search_fields = ["user__username", "user__first_name", "store__name"]
    autocomplete_fields = ["store"]
    list_select_related = ["user", "branch", "store"]
