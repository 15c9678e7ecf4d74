from django.urls import path

from fangkong.core.exports import export_paths
from fangkong.people import views

urlpatterns = [
    path("", views.person_list_view, name="person-list"),
    path("pick/", views.person_pick_view, name="pick-people"),
    path("new/", views.person_create_view, name="person-create"),
    *export_paths("export", views.person_export_view, "person-export"),
    path("<int:person_id>/", views.person_detail_view, name="person-detail"),
    path("<int:person_id>/edit/", views.person_edit_view, name="person-edit"),
    path("<int:person_id>/delete/", views.person_delete_view, name="person-delete"),
    path("<int:person_id>/merge/", views.person_merge_view, name="person-merge"),
    path("<int:person_id>/reveal/", views.person_reveal_view, name="person-reveal"),
    path("<int:person_id>/travel/", views.travel_add_view, name="travel-add"),
    path("import/", views.import_upload_view, name="import-upload"),
    path("import/template.xlsx", views.import_template_view, name="import-template"),
    path("import/<int:job_id>/", views.import_preview_view, name="import-preview"),
    path("import/<int:job_id>/start/", views.import_start_view, name="import-start"),
    path("import/<int:job_id>/cancel/", views.import_cancel_view, name="import-cancel"),
    path("import/<int:job_id>/report/", views.import_report_view, name="import-report"),
    path("import/<int:job_id>/rejected.xlsx", views.import_errors_view, name="import-errors"),
]
