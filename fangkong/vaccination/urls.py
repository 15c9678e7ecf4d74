from django.urls import path

from fangkong.vaccination import views

urlpatterns = [
    path("", views.coverage_view, name="vaccination"),
    path("import/", views.dose_import_view, name="dose-import"),
    path("outreach/", views.outreach_view, name="vaccination-outreach"),
]
