from django.urls import path
from rest_framework.routers import DefaultRouter

from fangkong.command.api import CommandMapView, CommandView
from fangkong.labs.api import (
    LabResultViewSet,
    PoolSizeViewSet,
    RoundViewSet,
    SamplingViewSet,
    TubeViewSet,
)
from fangkong.monitoring.api import CheckinViewSet, SelfLinkViewSet, UnitReportViewSet
from fangkong.movement.api import GatheringViewSet
from fangkong.org.api import RegionViewSet, UnitViewSet
from fangkong.people.api import PersonViewSet
from fangkong.policy.api import (
    MeasureViewSet,
    ObligationViewSet,
    PlanViewSet,
    ReleaseViewSet,
    RiskAreaViewSet,
)
from fangkong.quarantine.api import (
    BoardView,
    PlacementsView,
    RoomStateView,
    SiteRoomsView,
    SiteView,
    UnplacedView,
)
from fangkong.tracing.api import CaseViewSet, OutbreakViewSet, ScanViewSet, VenueViewSet

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
router.register("outbreaks", OutbreakViewSet, basename="outbreak")
router.register("venues", VenueViewSet, basename="venue")
router.register("scans", ScanViewSet, basename="scan")

urlpatterns = [
    path("command/", CommandView.as_view(), name="api-command"),
    path("command/map/", CommandMapView.as_view(), name="api-command-map"),
    path("quarantine/board/", BoardView.as_view(), name="api-quarantine-board"),
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
    path("quarantine/unplaced/", UnplacedView.as_view(), name="api-quarantine-unplaced"),
    path("quarantine/placements/", PlacementsView.as_view(), name="api-quarantine-place"),
    *router.urls,
]
