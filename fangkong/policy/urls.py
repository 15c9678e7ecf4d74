from django.urls import path

from fangkong.core.exports import export_paths
from fangkong.policy import exports, views

urlpatterns = [
    path("", views.plan_list_view, name="plan-list"),
    path("measures/", views.measure_list_view, name="measure-list"),
    *export_paths("measures/export", exports.measures_export_view, "measure-export"),
    path("measures/cross-infection/", views.cross_infection_view, name="cross-infection"),
    path("obligations/", views.obligation_list_view, name="obligation-list"),
    *export_paths("obligations/export", exports.obligations_export_view, "obligation-export"),
    path("obligations/meet/", views.obligations_meet_view, name="obligations-meet"),
    path("obligations/remind/", views.obligations_remind_view, name="obligations-remind"),
    path(
        "obligations/<int:obligation_id>/meet/", views.obligation_meet_view, name="obligation-meet"
    ),
    path("risk-areas/", views.risk_area_list_view, name="risk-area-list"),
    *export_paths("risk-areas/export", exports.risk_areas_export_view, "risk-area-export"),
    path("risk-areas/import/", views.risk_area_import_view, name="risk-area-import"),
    path("risk-areas/<int:area_id>/", views.risk_area_detail_view, name="risk-area-detail"),
    path("assign/", views.assignment_view, name="plan-assign"),
    path("what-if/", views.what_if_view, name="what-if"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("release/<int:person_id>/", views.person_release_view, name="person-release"),
    path("release/<int:person_id>/facts/", views.release_fact_view, name="release-fact"),
    path("<str:pack_id>/", views.plan_detail_view, name="plan-detail"),
]
