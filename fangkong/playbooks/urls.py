from django.urls import path

from fangkong.playbooks import views

urlpatterns = [
    path("", views.playbooks_view, name="playbooks"),
    path("runs/<int:run_id>/", views.run_view, name="playbook-run"),
]
