from django.urls import path
from rest_framework.routers import DefaultRouter

from fangkong.command.api import CommandMapView, CommandView, SizaoView
from fangkong.gates.api import GateEntryViewSet, GateViewSet
from fangkong.healthcodes.api import CodeCheckView, PersonCodeView
from fangkong.labs.api import (
    LabResultViewSet,
    PoolSizeViewSet,
    RoundViewSet,
    SamplingViewSet,
    TubeViewSet,
)
from fangkong.monitoring.api import CheckinViewSet, SelfLinkViewSet, UnitReportViewSet
from fangkong.movement.api import (
    GatheringViewSet,
    ReservationViewSet,
    TravelRequestViewSet,
    VenueBookingCancelView,
    VenueBookingView,
    VenueSlotViewSet,
)
from fangkong.org.api import RegionViewSet, UnitViewSet
from fangkong.people.api import PersonViewSet
from fangkong.pharmacy.api import SaleViewSet
from fangkong.playbooks.api import PlaybookRunViewSet
from fangkong.policy.api import (
    MeasureViewSet,
    ObligationViewSet,
    PlanViewSet,
    ReleaseViewSet,
    RiskAreaViewSet,
)
from fangkong.quarantine.api import (
    BoardView,
    ForecastView,
    HomeListView,
    HomeRecordView,
    HomeVisitView,
    PlacementsView,
    RoomStateView,
    SiteArrivalsView,
    SiteCareView,
    SiteCrossInfectionView,
    SiteHospitalView,
    SiteReleasesView,
    SiteRoomsView,
    SiteTestsView,
    SiteTransfersView,
    SiteView,
    UnplacedView,
)
from fangkong.readiness.api import (
    DisinfectionLogViewSet,
    DisinfectionScheduleViewSet,
    ShiftViewSet,
    SupplyRequestViewSet,
    SupplyViewSet,
    WorkInjuryViewSet,
)
from fangkong.tracing.api import CaseViewSet, OutbreakViewSet, ScanViewSet, VenueViewSet
from fangkong.vaccination.api import DoseViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("plans", PlanViewSet, basename="plan")
router.register("risk-areas", RiskAreaViewSet, basename="risk-area")
router.register("measures", MeasureViewSet, basename="measure")
router.register("obligations", ObligationViewSet, basename="obligation")
router.register("releases", ReleaseViewSet, basename="release")
router.register("checkins", CheckinViewSet, basename="checkin")
router.register("reports", UnitReportViewSet, basename="report")
router.register("checkin-links", SelfLinkViewSet, basename="checkin-link")
router.register("sampling", SamplingViewSet, basename="sampling")
router.register("lab-results", LabResultViewSet, basename="lab-result")
router.register("tubes", TubeViewSet, basename="tube")
router.register("rounds", RoundViewSet, basename="round")
router.register("pool-size", PoolSizeViewSet, basename="pool-size")
router.register("cases", CaseViewSet, basename="case")
router.register("gatherings", GatheringViewSet, basename="gathering")
router.register("travel-requests", TravelRequestViewSet, basename="travel-request")
router.register("venue-slots", VenueSlotViewSet, basename="venue-slot")
router.register("reservations", ReservationViewSet, basename="reservation")
router.register("pharmacy-sales", SaleViewSet, basename="drug-sale")
router.register("outbreaks", OutbreakViewSet, basename="outbreak")
router.register("roster/shifts", ShiftViewSet, basename="shift")
router.register("vaccination-doses", DoseViewSet, basename="dose")
router.register("playbook-runs", PlaybookRunViewSet, basename="playbook-run")
router.register("supplies/stock", SupplyViewSet, basename="supply")
router.register("supplies/requests", SupplyRequestViewSet, basename="supply-request")
router.register(
    "disinfection/schedules", DisinfectionScheduleViewSet, basename="disinfection-schedule"
)
router.register("disinfection/logs", DisinfectionLogViewSet, basename="disinfection-log")
router.register("work-injuries", WorkInjuryViewSet, basename="work-injury")
router.register("venues", VenueViewSet, basename="venue")
router.register("scans", ScanViewSet, basename="scan")
router.register("gates", GateViewSet, basename="gate")
router.register("gate-entries", GateEntryViewSet, basename="gate-entry")

urlpatterns = [
    path("command/", CommandView.as_view(), name="api-command"),
    path("command/map/", CommandMapView.as_view(), name="api-command-map"),
    path("command/sizao/", SizaoView.as_view(), name="api-sizao"),
    path("quarantine/board/", BoardView.as_view(), name="api-quarantine-board"),
    path("quarantine/forecast/", ForecastView.as_view(), name="api-quarantine-forecast"),
    path("quarantine/home/", HomeListView.as_view(), name="api-home-quarantine"),
    path(
        "quarantine/home/<int:person_id>/",
        HomeRecordView.as_view(),
        name="api-home-quarantine-record",
    ),
    path(
        "quarantine/home/<int:person_id>/visits/",
        HomeVisitView.as_view(),
        name="api-home-quarantine-visit",
    ),
    path("quarantine/sites/<int:site_id>/", SiteView.as_view(), name="api-quarantine-site"),
    path(
        "quarantine/sites/<int:site_id>/rooms/",
        SiteRoomsView.as_view(),
        name="api-quarantine-rooms",
    ),
    path(
        "quarantine/rooms/<int:room_id>/state/",
        RoomStateView.as_view(),
        name="api-quarantine-room-state",
    ),
    path(
        "quarantine/sites/<int:site_id>/transfers/",
        SiteTransfersView.as_view(),
        name="api-quarantine-transfers",
    ),
    path(
        "quarantine/sites/<int:site_id>/arrivals/",
        SiteArrivalsView.as_view(),
        name="api-quarantine-arrivals",
    ),
    path(
        "quarantine/sites/<int:site_id>/releases/",
        SiteReleasesView.as_view(),
        name="api-quarantine-releases",
    ),
    path(
        "quarantine/sites/<int:site_id>/hospital/",
        SiteHospitalView.as_view(),
        name="api-quarantine-hospital",
    ),
    path(
        "quarantine/sites/<int:site_id>/cross-infection/",
        SiteCrossInfectionView.as_view(),
        name="api-quarantine-cross-infection",
    ),
    path(
        "quarantine/sites/<int:site_id>/care/",
        SiteCareView.as_view(),
        name="api-quarantine-care",
    ),
    path(
        "quarantine/sites/<int:site_id>/tests/",
        SiteTestsView.as_view(),
        name="api-quarantine-tests",
    ),
    path("quarantine/unplaced/", UnplacedView.as_view(), name="api-quarantine-unplaced"),
    path("quarantine/placements/", PlacementsView.as_view(), name="api-quarantine-place"),
    path("health-codes/people/<int:person_id>/", PersonCodeView.as_view(), name="api-person-code"),
    path("health-codes/check/", CodeCheckView.as_view(), name="api-code-check"),
    path("bookings/<str:booking_token>/", VenueBookingView.as_view(), name="api-venue-booking"),
    path(
        "bookings/<str:booking_token>/cancel/",
        VenueBookingCancelView.as_view(),
        name="api-venue-booking-cancel",
    ),
    *router.urls,
]
