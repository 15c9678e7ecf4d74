"""Django admin for administrators: reference data and leading groups. Units and roles are
managed on the unit pages and the API, through the services that audit them."""

from django.contrib import admin

from fangkong.org.models import GroupMember, LeadingGroup, RegionAlias


@admin.register(RegionAlias)
class RegionAliasAdmin(admin.ModelAdmin):
    list_display = ["old_code", "old_name", "region", "changed_on"]
    search_fields = ["old_code", "old_name"]
    raw_id_fields = ["region"]


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    raw_id_fields = ["person"]
    extra = 1


@admin.register(LeadingGroup)
class LeadingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "unit__name"]
    raw_id_fields = ["unit", "parent"]
    inlines = [GroupMemberInline]
