from django.urls import path

from fangkong.healthcodes import views

urlpatterns = [
    path("check/", views.code_check_view, name="code-check"),
]
