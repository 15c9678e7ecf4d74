from django.urls import path

from fangkong.quarantine import views

urlpatterns = [
    path("", views.board_view, name="quarantine-board"),
    path("sites/<int:site_id>/", views.site_view, name="quarantine-site"),
    path("sites/<int:site_id>/care/", views.site_care_view, name="quarantine-care"),
    path("placement/", views.placement_view, name="quarantine-placement"),
    path("home/", views.home_list_view, name="home-quarantine"),
    path(
        "home/<int:person_id>/notice/",
        views.home_notice_view,
        name="home-quarantine-notice",
    ),
]
