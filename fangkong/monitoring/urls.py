from django.urls import path

from fangkong.core.exports import export_paths
from fangkong.monitoring import exports, views

urlpatterns = [
    path("", views.monitoring_home_view, name="monitoring"),
    *export_paths("checkins", exports.checkins_export_view, "checkin-export"),
    *export_paths("fevers", exports.fevers_export_view, "fever-export"),
    path("class/<int:unit_id>/", views.class_checkin_view, name="class-checkin"),
    path("link/<int:person_id>/", views.self_link_view, name="self-link"),
    path("link/<int:person_id>/revoke/", views.self_links_revoke_view, name="self-link-revoke"),
    path("fevers/<int:event_id>/", views.fever_detail_view, name="fever-detail"),
    path("absences/", views.absence_view, name="absences"),
    path("reports/", views.report_view, name="reports"),
    path("rollup/", views.rollup_view, name="rollup"),
]
