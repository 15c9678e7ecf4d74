from django.urls import path

from fangkong.readiness import views

urlpatterns = [
    path("", views.roster_view, name="roster"),
]

supplies_urlpatterns = [
    path("", views.supplies_view, name="supplies"),
    path("<int:unit_id>/", views.supplies_unit_view, name="supplies-unit"),
]

disinfection_urlpatterns = [
    path("", views.disinfection_view, name="disinfection"),
    path("<int:unit_id>/", views.disinfection_unit_view, name="disinfection-unit"),
]

injuries_urlpatterns = [
    path("", views.injuries_view, name="injuries"),
    path("<int:injury_id>/reported/", views.injury_reported_view, name="injury-reported"),
]
