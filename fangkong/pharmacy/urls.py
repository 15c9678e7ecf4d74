from django.urls import path

from fangkong.pharmacy import views

urlpatterns = [
    path("", views.sale_list_view, name="sale-list"),
    path("import/", views.sale_import_view, name="sale-import"),
    path("<int:sale_id>/reported/", views.sale_report_view, name="sale-reported"),
]
