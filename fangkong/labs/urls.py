from django.urls import path

from fangkong.labs import views

urlpatterns = [
    path("", views.round_list_view, name="round-list"),
    path("rounds/<int:round_id>/", views.round_detail_view, name="round-detail"),
    path("sampling/", views.sampling_view, name="sampling"),
    path("boxes/", views.box_view, name="boxes"),
    path("results/", views.results_view, name="lab-results"),
    path("tubes/<str:barcode>/", views.tube_view, name="tube"),
]
