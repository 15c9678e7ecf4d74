from django.urls import path

from fangkong.movement import views

urlpatterns = [
    path("", views.reservation_venues_view, name="reservation-venues"),
    path("venues/<int:venue_id>/", views.venue_slots_view, name="venue-slots"),
    path("<int:reservation_id>/cancel/", views.reservation_cancel_view, name="reservation-cancel"),
]
