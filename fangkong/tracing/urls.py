from django.urls import path

from fangkong.tracing import views

urlpatterns = [
    path("", views.case_list_view, name="case-list"),
    path("<int:case_id>/", views.case_detail_view, name="case-detail"),
]
