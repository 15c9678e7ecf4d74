from django.urls import path

from fangkong.readiness import views

urlpatterns = [
    path("", views.roster_view, name="roster"),
]
