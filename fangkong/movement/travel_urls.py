from django.urls import path

from fangkong.movement import views

urlpatterns = [
    path("", views.travel_list_view, name="travel-list"),
    path("steps/<int:step_id>/decide/", views.travel_decide_view, name="travel-decide"),
    path("returnees/", views.returnee_list_view, name="returnee-list"),
    path("<int:request_id>/return/", views.travel_return_view, name="travel-return"),
]
