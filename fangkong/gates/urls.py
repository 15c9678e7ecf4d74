from django.urls import path

from fangkong.core.exports import export_paths
from fangkong.gates import views

urlpatterns = [
    path("", views.gate_list_view, name="gate-list"),
    path("<int:gate_id>/", views.gate_register_view, name="gate-register"),
    path("<int:gate_id>/entry/", views.gate_entry_view, name="gate-entry"),
    path("<int:gate_id>/keepers/", views.gate_keeper_view, name="gate-keeper"),
    *export_paths("<int:gate_id>/register", views.gate_export_view, "gate-export"),
]
