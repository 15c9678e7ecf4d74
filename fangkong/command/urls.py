from django.urls import path

from fangkong.command import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("brief/", views.brief_view, name="brief"),
    path("command/sizao/", views.sizao_view, name="sizao"),
]
