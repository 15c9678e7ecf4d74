"""REST API of quarantine sites: the board and the beds ahead, a site's rooms, rooms in bulk, a
room's state, the people waiting for a room and placing them, their transfers (to the site, to
hospital, home), the releases due by conditions and a suspected cross-infection, the daily care
(who is not checked in the slot due now, meals and needs noted, the tests due); home quarantine
(D-02): the list with today's visits, a visit, the notice served and the door."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong.core import clock
from fangkong.core.inputs import validate_plausible_date
from fangkong.org.access import request_user
from fangkong.org.models import Unit
from fangkong.people.models import Person
from fangkong.policy.describe import release_verdict
from fangkong.policy.models import Measure
from fangkong.quarantine.forecast import beds_forecast
from fangkong.quarantine.home import (
    MAX_NOTE,
    home_quarantine_of,
    home_quarantine_record,
    home_quarantines,
    home_visit_record,
)
from fangkong.quarantine.models import (
    MAX_CAPACITY,
    CareNoteKind,
    DoorWatch,
    HospitalReason,
    Room,
    RoomState,
)
from fangkong.quarantine.selectors import (
    checkin_slot_now,
    occupancy_board,
    people_unplaced,
    placements_open,
    placements_unchecked,
    placements_waiting_transfer,
    releases_due,
    site_rooms,
    sites_visible,
    tests_due,
    transfers_on_the_road,
)
from fangkong.quarantine.services import (
    LAST_FLOOR,
    LAST_ROOM,
    MAX_PLACED,
    CareNoteInput,
    Trip,
    care_notes_record,
    people_place,
    person_release_home,
    person_to_hospital,
    room_state_set,
    rooms_create,
    site_cross_infection_mark,
    transfers_arrive,
    transfers_depart,
)

ID_MAX = 2**63 - 1


def _site(request: Request, site_id: int) -> Unit:
    site = sites_visible(request.user).filter(pk=site_id).first()
    if site is None:
        raise NotFound
    return site


class RoomSerializer(serializers.ModelSerializer):
    occupants = serializers.IntegerField(read_only=True)

    class Meta:
        model = Room
        fields = ["id", "floor", "number", "capacity", "state", "occupants"]


class RoomsInSerializer(serializers.Serializer):
    floor_from = serializers.IntegerField(min_value=1, max_value=LAST_FLOOR)
    floor_to = serializers.IntegerField(min_value=1, max_value=LAST_FLOOR)
    room_from = serializers.IntegerField(min_value=1, max_value=LAST_ROOM)
    room_to = serializers.IntegerField(min_value=1, max_value=LAST_ROOM)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY, default=1)


class RoomStateInSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=RoomState.choices)


class PlaceInSerializer(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    people = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        max_length=MAX_PLACED,
        required=False,
    )
    all = serializers.BooleanField(default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["all"] == ("people" in attrs):
            raise serializers.ValidationError({"people": _("Give the people, or all: true.")})
        return attrs


class WaitingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField(source="unit.name")
    household = serializers.CharField(source="household.code", default=None)


class FiguresSerializer(serializers.Serializer):
    site = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    rooms = serializers.DictField(child=serializers.IntegerField())
    beds = serializers.IntegerField()
    free_beds = serializers.IntegerField()
    people = serializers.IntegerField()


class ReleaseDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    people = serializers.IntegerField()


class BoardSerializer(serializers.Serializer):
    sites = FiguresSerializer(many=True)
    total = FiguresSerializer()
    releases = ReleaseDaySerializer(many=True)


class SiteBoardSerializer(BoardSerializer):
    rooms = RoomSerializer(many=True)


class CreatedSerializer(serializers.Serializer):
    created = serializers.IntegerField()


class PlacedSerializer(serializers.Serializer):
    placed = serializers.IntegerField()


class RoomStateOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=RoomState.choices)


class BoardView(APIView):
    """GET: the occupancy board of every site the caller manages, and their total."""

    @extend_schema(responses=BoardSerializer)
    def get(self, request: Request) -> Response:
        return Response(occupancy_board(sites_visible(request.user)).as_json())


class ForecastDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    arriving = serializers.IntegerField()
    releases = serializers.IntegerField()
    free_beds = serializers.IntegerField()


class BedsAheadSerializer(serializers.Serializer):
    site = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    beds = serializers.IntegerField()
    occupied = serializers.IntegerField()
    free_beds = serializers.IntegerField()
    arriving = serializers.IntegerField()
    days = ForecastDaySerializer(many=True)
    shortfall = serializers.DateField(allow_null=True)


class ForecastSerializer(serializers.Serializer):
    sites = BedsAheadSerializer(many=True)
    county = BedsAheadSerializer()


class ForecastView(APIView):
    """GET: beds ahead — each site's and the county's beds, people placed and arriving, and for
    each of the next 14 days the arrivals, releases and free beds; ``shortfall`` is the first day
    the free beds go below zero (a new site is needed)."""

    @extend_schema(responses=ForecastSerializer)
    def get(self, request: Request) -> Response:
        return Response(beds_forecast(request.user, sites_visible(request.user)).as_json())


class SiteView(APIView):
    """GET: a site's board and its rooms."""

    @extend_schema(responses=SiteBoardSerializer)
    def get(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        board = occupancy_board(sites_visible(request.user).filter(pk=site.pk))
        return Response(
            {**board.as_json(), "rooms": RoomSerializer(site_rooms(site), many=True).data}
        )


class SiteRoomsView(APIView):
    """POST: add rooms in bulk — floors ``floor_from``–``floor_to``, rooms ``room_from``–
    ``room_to`` on each (floors 2–5, rooms 1–20: 201 … 520)."""

    @extend_schema(request=RoomsInSerializer, responses={201: CreatedSerializer})
    def post(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        incoming = RoomsInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        made = rooms_create(
            actor=request_user(request),
            site=site,
            floors=(data["floor_from"], data["floor_to"]),
            rooms=(data["room_from"], data["room_to"]),
            capacity=data["capacity"],
        )
        return Response({"created": made}, status=status.HTTP_201_CREATED)


class RoomStateView(APIView):
    """POST: a room disinfected (``free``), out of service, or back in service."""

    @extend_schema(request=RoomStateInSerializer, responses=RoomStateOutSerializer)
    def post(self, request: Request, room_id: int) -> Response:
        room = Room.objects.filter(pk=room_id, site__in=sites_visible(request.user)).first()
        if room is None:
            raise NotFound
        incoming = RoomStateInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        room_state_set(
            actor=request_user(request), room=room, state=incoming.validated_data["state"]
        )
        return Response({"id": room.pk, "state": incoming.validated_data["state"]})


class UnplacedView(APIView):
    """GET: the people of the caller's units under central quarantine and in no room yet (the
    first 1,000, households together)."""

    @extend_schema(responses=WaitingSerializer(many=True))
    def get(self, request: Request) -> Response:
        waiting = people_unplaced(request.user)[:MAX_PLACED]
        return Response(WaitingSerializer(waiting, many=True).data)


class PlacementsView(APIView):
    """POST: place the people chosen (or all: true) in free rooms of a site."""

    @extend_schema(request=PlaceInSerializer, responses={201: PlacedSerializer})
    def post(self, request: Request) -> Response:
        incoming = PlaceInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        site = _site(request, data["site"])
        placed = people_place(
            actor=request_user(request),
            site=site,
            person_ids=None if data["all"] else data["people"],
        )
        return Response({"placed": placed}, status=status.HTTP_201_CREATED)


class TripInSerializer(serializers.Serializer):
    # Blank ones reach the service, which says what is missing in the user's words.
    vehicle = serializers.CharField(max_length=16, allow_blank=True, trim_whitespace=False)
    escort_name = serializers.CharField(max_length=40, allow_blank=True, trim_whitespace=False)
    escort_phone = serializers.CharField(max_length=20, allow_blank=True)
    departed_at = serializers.DateTimeField(required=False, validators=[validate_plausible_date])

    def trip(self) -> Trip:
        data = self.validated_data
        return Trip(
            vehicle=data["vehicle"],
            escort_name=data["escort_name"],
            escort_phone=data["escort_phone"],
            departed_at=data.get("departed_at") or clock.now(),
        )


class DepartInSerializer(TripInSerializer):
    people = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        min_length=1,
        max_length=MAX_PLACED,
    )


class ArriveInSerializer(serializers.Serializer):
    transfers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        min_length=1,
        max_length=MAX_PLACED,
    )


class ReleaseInSerializer(TripInSerializer):
    person = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    on = serializers.DateField(validators=[validate_plausible_date])
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class HospitalInSerializer(TripInSerializer):
    person = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    reason = serializers.ChoiceField(choices=HospitalReason.choices)


class CrossInfectionInSerializer(serializers.Serializer):
    on = serializers.DateField(validators=[validate_plausible_date])
    floor = serializers.IntegerField(min_value=1, max_value=LAST_FLOOR, required=False)


class PlacedPersonSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    room = serializers.CharField(source="room.number")


class TransferOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="placement.person_id")
    name = serializers.CharField(source="placement.person.name")
    vehicle = serializers.CharField()
    escort_name = serializers.CharField()
    escort_phone = serializers.CharField()
    departed_at = serializers.DateTimeField()


class TransfersSerializer(serializers.Serializer):
    waiting = PlacedPersonSerializer(many=True)
    on_the_road = TransferOutSerializer(many=True)


class ReleaseDueSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    room = serializers.CharField()
    end_date = serializers.DateField(allow_null=True)
    allowed = serializers.BooleanField(allow_null=True)
    missing = serializers.ListField(child=serializers.CharField())
    verdict = serializers.CharField()


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class ArrivalSerializer(serializers.Serializer):
    arrived = serializers.IntegerField()
    late = serializers.IntegerField()


def _placed_person(site: Unit, person_id: int) -> Person:
    placement = placements_open(site).filter(person_id=person_id).first()
    if placement is None:
        raise NotFound
    return placement.person


class SiteTransfersView(APIView):
    """GET: the people placed at the site waiting for their transfer (待转运) and the trips on
    the road; POST: the trip of the people chosen — vehicle, escort, departure."""

    @extend_schema(responses=TransfersSerializer)
    def get(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        return Response(
            {
                "waiting": PlacedPersonSerializer(
                    placements_waiting_transfer(site)[:MAX_PLACED], many=True
                ).data,
                "on_the_road": TransferOutSerializer(
                    [transfer for trip in transfers_on_the_road(site) for transfer in trip],
                    many=True,
                ).data,
            }
        )

    @extend_schema(request=DepartInSerializer, responses={201: CountSerializer})
    def post(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        incoming = DepartInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        left = transfers_depart(
            actor=request_user(request),
            site=site,
            person_ids=incoming.validated_data["people"],
            trip=incoming.trip(),
        )
        return Response({"count": left}, status=status.HTTP_201_CREATED)


class SiteArrivalsView(APIView):
    """POST: the trips arrived at the site; the arrival meets each person's transfer deadline
    (G-08), ``late`` counting those past it."""

    @extend_schema(request=ArriveInSerializer, responses=ArrivalSerializer)
    def post(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        incoming = ArriveInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        arrival = transfers_arrive(
            actor=request_user(request),
            site=site,
            transfer_ids=incoming.validated_data["transfers"],
        )
        return Response({"arrived": arrival.arrived, "late": arrival.late})


class SiteReleasesView(APIView):
    """GET: the people of the site due for release (their central quarantine ends within two
    days, is past its end or ends by conditions) and the engine's decision for today; POST:
    release one of them (refused with what is missing) and record the transfer home."""

    @extend_schema(responses=ReleaseDueSerializer(many=True))
    def get(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        return Response(
            [
                {
                    "person": line.placement.person_id,
                    "name": line.placement.person.name,
                    "room": line.placement.room.number,
                    "end_date": line.end_date,
                    "allowed": line.answer.allowed if line.answer else None,
                    "missing": line.answer.missing if line.answer else [],
                    "verdict": release_verdict(line.answer) if line.answer else "",
                }
                for line in releases_due(site)
            ]
        )

    @extend_schema(request=ReleaseInSerializer, responses=CountSerializer)
    def post(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        incoming = ReleaseInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        ended = person_release_home(
            actor=request_user(request),
            site=site,
            person=_placed_person(site, data["person"]),
            on=data["on"],
            note=data["note"],
            trip=incoming.trip(),
        )
        return Response({"count": ended})


class SiteHospitalView(APIView):
    """POST: a placed person to hospital on a fever or a positive — the room left, a suspected
    case reported (its plan deadlines run)."""

    @extend_schema(request=HospitalInSerializer, responses={201: CountSerializer})
    def post(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        incoming = HospitalInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        person_to_hospital(
            actor=request_user(request),
            site=site,
            person=_placed_person(site, incoming.validated_data["person"]),
            reason=incoming.validated_data["reason"],
            trip=incoming.trip(),
        )
        return Response({"count": 1}, status=status.HTTP_201_CREATED)


class SiteCrossInfectionView(APIView):
    """POST: a suspected cross-infection on a floor (or the whole site) from a day (D-04): the
    quarantine of everyone placed there counts again from it."""

    @extend_schema(request=CrossInfectionInSerializer, responses=CountSerializer)
    def post(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        incoming = CrossInfectionInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        count = site_cross_infection_mark(
            actor=request_user(request),
            site=site,
            on=incoming.validated_data["on"],
            floor=incoming.validated_data.get("floor"),
        )
        return Response({"count": count})


class CareSerializer(serializers.Serializer):
    slot = serializers.DateTimeField(allow_null=True)
    unchecked = PlacedPersonSerializer(many=True)


class CareNoteInSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    kind = serializers.ChoiceField(choices=CareNoteKind.choices)
    text = serializers.CharField(max_length=MAX_NOTE)


class CareNotesInSerializer(serializers.Serializer):
    notes = serializers.ListField(child=CareNoteInSerializer(), max_length=MAX_PLACED)


class SiteCareView(APIView):
    """GET: the check-in slot due now at the site and who has not been checked in it (本时段未测);
    POST: meals served and needs voiced, noted per person (refused whole when one is wrong).
    The temperatures and symptoms go to the check-in API (``/api/checkins/``)."""

    @extend_schema(responses=CareSerializer)
    def get(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        slot = checkin_slot_now(site, clock.now())
        unchecked = placements_unchecked(site, slot) if slot else []
        return Response(CareSerializer({"slot": slot, "unchecked": unchecked}).data)

    @extend_schema(request=CareNotesInSerializer, responses={201: CountSerializer})
    def post(self, request: Request, site_id: int) -> Response:
        site = _site(request, site_id)
        incoming = CareNotesInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        count = care_notes_record(
            actor=request_user(request),
            site=site,
            notes=[
                CareNoteInput(note["person"], note["kind"], note["text"])
                for note in incoming.validated_data["notes"]
            ],
        )
        return Response({"count": count}, status=status.HTTP_201_CREATED)


class TestDueSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="placement.person_id")
    name = serializers.CharField(source="placement.person.name")
    room = serializers.CharField(source="placement.room.number")
    day = serializers.DateField(allow_null=True)
    due_at = serializers.DateTimeField(source="obligation.due_at")
    overdue = serializers.BooleanField()


class SiteTestsView(APIView):
    """GET: the plan's tests owed by the people placed at the site, up to today's; a sample of
    the person (labs) meets them."""

    @extend_schema(responses=TestDueSerializer(many=True))
    def get(self, request: Request, site_id: int) -> Response:
        return Response(TestDueSerializer(tests_due(_site(request, site_id)), many=True).data)


class HomeQuarantineSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    unit = serializers.CharField(source="person.unit.name")
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    notice_served_at = serializers.DateTimeField(allow_null=True)
    door = serializers.CharField(allow_null=True)
    visited = serializers.BooleanField()
    visit_note = serializers.CharField(allow_null=True)


class VisitInSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class RecordInSerializer(serializers.Serializer):
    notice_served = serializers.BooleanField(default=False)
    door = serializers.ChoiceField(choices=DoorWatch.choices, required=False, default="")


def _measure(request: Request, person_id: int) -> Measure:
    measure = home_quarantine_of(request.user, person_id)
    if measure is None:
        raise NotFound
    return measure


class HomeListView(APIView):
    """GET: the people under home quarantine in the caller's units, with today's visit."""

    @extend_schema(responses=HomeQuarantineSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(HomeQuarantineSerializer(home_quarantines(request.user), many=True).data)


class HomeVisitView(APIView):
    """POST: today's visit to the person (one a day), with a note."""

    @extend_schema(request=VisitInSerializer, responses={201: VisitInSerializer})
    def post(self, request: Request, person_id: int) -> Response:
        measure = _measure(request, person_id)
        incoming = VisitInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        visit = home_visit_record(
            actor=request_user(request), measure=measure, note=incoming.validated_data["note"]
        )
        return Response({"note": visit.note}, status=status.HTTP_201_CREATED)


class HomeRecordView(APIView):
    """POST: the notice served (``notice_served: true``) and the door (``seal`` or ``monitor``)."""

    @extend_schema(request=RecordInSerializer, responses=HomeQuarantineSerializer)
    def post(self, request: Request, person_id: int) -> Response:
        measure = _measure(request, person_id)
        incoming = RecordInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        home_quarantine_record(
            actor=request_user(request),
            measure=measure,
            notice_served=incoming.validated_data["notice_served"],
            door=incoming.validated_data["door"],
        )
        return Response(HomeQuarantineSerializer(_measure(request, person_id)).data)
