from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from fangkong.core.views import (
    bad_request,
    healthz,
    page_not_found,
    permission_denied,
    server_error,
)
from fangkong.monitoring.views import self_checkin_view
from fangkong.movement.views import returnee_self_view, venue_booking_view
from fangkong.readiness import urls as readiness_urls

handler400 = bad_request
handler403 = permission_denied
handler404 = page_not_found
handler500 = server_error

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("fangkong.config.api_urls")),
    path("", include("fangkong.command.urls")),
    path("", include("fangkong.core.urls")),
    path("org/", include("fangkong.org.urls")),
    path("people/", include("fangkong.people.urls")),
    path("audit/", include("fangkong.audit.urls")),
    path("plans/", include("fangkong.policy.urls")),
    path("monitoring/", include("fangkong.monitoring.urls")),
    path("labs/", include("fangkong.labs.urls")),
    path("cases/", include("fangkong.tracing.urls")),
    path("gatherings/", include("fangkong.movement.urls")),
    path("roster/", include("fangkong.readiness.urls")),
    path("supplies/", include(readiness_urls.supplies_urlpatterns)),
    path("disinfection/", include(readiness_urls.disinfection_urlpatterns)),
    path("injuries/", include(readiness_urls.injuries_urlpatterns)),
    path("travel/", include("fangkong.movement.travel_urls")),
    path("reservations/", include("fangkong.movement.reservation_urls")),
    path("pharmacy/", include("fangkong.pharmacy.urls")),
    path("vaccination/", include("fangkong.vaccination.urls")),
    path("playbooks/", include("fangkong.playbooks.urls")),
    path("codes/", include("fangkong.healthcodes.urls")),
    path("gates/", include("fangkong.gates.urls")),
    path("quarantine/", include("fangkong.quarantine.urls")),
    path("c/<str:token>/", self_checkin_view, name="self-checkin"),
    path("r/<str:token>/", returnee_self_view, name="returnee-self"),
    path("b/<str:booking_token>/", venue_booking_view, name="venue-booking"),
]
