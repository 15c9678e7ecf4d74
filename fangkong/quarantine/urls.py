from django.urls import path

from fangkong.quarantine import views

urlpatterns = [
    path("", views.board_view, name="quarantine-board"),
    path("sites/<int:site_id>/", views.site_view, name="quarantine-site"),
    path("placement/", views.placement_view, name="quarantine-placement"),
]
