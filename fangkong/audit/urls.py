from django.urls import path

from fangkong.audit import views
from fangkong.core.exports import export_paths

urlpatterns = [
    path("", views.audit_list_view, name="audit-list"),
    *export_paths("export", views.audit_export_view, "audit-export"),
]
