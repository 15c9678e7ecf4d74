from django.urls import path

from fangkong.org import views

urlpatterns = [
    path("pick/regions/", views.region_pick_view, name="pick-regions"),
    path("pick/units/", views.unit_pick_view, name="pick-units"),
    path("units/", views.unit_tree_view, name="unit-tree"),
    path("units/<int:unit_id>/", views.unit_detail_view, name="unit-detail"),
    path("units/<int:unit_id>/children/", views.unit_child_create_view, name="unit-child-create"),
    path("units/<int:unit_id>/members/", views.membership_grant_view, name="membership-grant"),
    path(
        "memberships/<int:membership_id>/revoke/",
        views.membership_revoke_view,
        name="membership-revoke",
    ),
]
