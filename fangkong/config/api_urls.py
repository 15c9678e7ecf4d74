from rest_framework.routers import DefaultRouter

from fangkong.org.api import RegionViewSet, UnitViewSet
from fangkong.people.api import PersonViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")

urlpatterns = router.urls
