from django.urls import path

from fangkong.org import views

urlpatterns = [
    path("units/", views.unit_tree_view, name="unit-tree"),
    path("units/<int:unit_id>/", views.unit_detail_view, name="unit-detail"),
]
