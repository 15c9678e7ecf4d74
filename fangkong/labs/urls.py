from django.urls import path

from fangkong.core.exports import export_paths
from fangkong.labs import exports, views

urlpatterns = [
    path("", views.round_list_view, name="round-list"),
    *export_paths("export", exports.rounds_export_view, "round-export"),
    path("rounds/<int:round_id>/", views.round_detail_view, name="round-detail"),
    *export_paths(
        "rounds/<int:round_id>/unsampled",
        exports.round_unsampled_export_view,
        "round-unsampled-export",
    ),
    path("sampling/", views.sampling_view, name="sampling"),
    path("boxes/", views.box_view, name="boxes"),
    path("results/", views.results_view, name="lab-results"),
    *export_paths("tubes", exports.tubes_export_view, "tube-export"),
    path("tubes/<str:barcode>/", views.tube_view, name="tube"),
]
