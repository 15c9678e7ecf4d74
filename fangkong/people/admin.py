"""Django admin: the register's categories. People are kept through the register's pages, API
and import, which validate, protect ID numbers and audit."""

from django.contrib import admin

from fangkong.people.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
