from django.urls import path

from fangkong.core.exports import export_paths
from fangkong.tracing import views

urlpatterns = [
    path("", views.case_list_view, name="case-list"),
    path("graph/", views.case_graph_view, name="case-graph"),
    path("zones/", views.zone_list_view, name="zone-list"),
    path("<int:case_id>/", views.case_detail_view, name="case-detail"),
    path("<int:case_id>/investigation/", views.investigation_view, name="case-investigation"),
    *export_paths(
        "<int:case_id>/investigation/assistance",
        views.assistance_export_view,
        "assistance-export",
    ),
    path("venues/", views.venue_list_view, name="venue-list"),
    path("outbreaks/", views.outbreak_list_view, name="outbreak-list"),
    path("outbreaks/<int:outbreak_id>/", views.outbreak_detail_view, name="outbreak-detail"),
]
