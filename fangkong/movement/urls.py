from django.urls import path

from fangkong.movement import views

urlpatterns = [
    path("", views.gathering_list_view, name="gathering-list"),
    path("<int:application_id>/", views.gathering_detail_view, name="gathering-detail"),
    path("<int:application_id>/decide/", views.gathering_decide_view, name="gathering-decide"),
]
