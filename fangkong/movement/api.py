"""REST API of gathering applications and of leave and travel requests: the caller's units'
ones, filing one (judged at once by the plan in force), the approver's queue and decision, and
(for a trip) the return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong.core import clock
from fangkong.core.inputs import query_int
from fangkong.core.viewsets import ServiceViewSetMixin, found
from fangkong.movement.guests import GuestInput, gathering_guest_add, guests_checked
from fangkong.movement.models import (
    ApprovalStep,
    GatheringApplication,
    GatheringType,
    Organiser,
    Purpose,
    RequestStatus,
    Reservation,
    TravelRequest,
    VenueSlot,
)
from fangkong.movement.reservations import (
    SelfBooking,
    reservation_book,
    reservation_cancel,
    reservation_self_book,
    reservation_self_cancel,
    reservations_visible,
    slots_open,
    slots_visible,
    venue_limit,
    venue_limits,
    venue_link_over_rate,
    venue_link_venue,
    venue_slot_create,
    venues_kept,
    venues_live,
)
from fangkong.movement.selectors import (
    gatherings_planned,
    gatherings_to_decide,
    gatherings_visible,
    steps_to_decide,
    travel_requests_visible,
)
from fangkong.movement.services import (
    GatheringInput,
    TravelRequestInput,
    gathering_apply,
    gathering_decide,
    travel_request_file,
    travel_request_return,
    travel_step_decide,
)
from fangkong.org.access import request_user, units_in
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_get_visible
from fangkong.tracing.models import Venue


class GatheringInSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    type = serializers.ChoiceField(choices=GatheringType.choices)
    organiser = serializers.ChoiceField(choices=Organiser.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices, default=Purpose.OTHER)
    people = serializers.IntegerField(min_value=1, max_value=100_000)
    tables = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
    classes = serializers.IntegerField(min_value=1, max_value=1_000, required=False)
    place = serializers.CharField(max_length=100)
    held_on = serializers.DateField()
    organiser_name = serializers.CharField(max_length=50)
    organiser_phone = serializers.RegexField(r"^\+?[0-9-]{5,20}$", max_length=20)


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class GuestInSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    name = serializers.CharField(max_length=50, required=False, default="")
    id_number = serializers.CharField(max_length=18, required=False, default="")


class GuestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField()
    name = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class GatheringSerializer(serializers.ModelSerializer):
    class Meta:
        model = GatheringApplication
        fields = [
            "id",
            "unit",
            "type",
            "organiser",
            "purpose",
            "people",
            "tables",
            "classes",
            "place",
            "held_on",
            "organiser_name",
            "organiser_phone",
            "pack_id",
            "verdict",
            "clause",
            "approver",
            "status",
            "reason",
            "created_at",
            "decided_at",
        ]


class GatheringViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Gathering applications of the caller's units and of the units the caller decides for;
    POST files one; ``queue/`` lists those awaiting the caller; ``{id}/decide/`` decides one."""

    serializer_class = GatheringSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    input_serializer_class = GatheringInSerializer

    def get_queryset(self) -> QuerySet[GatheringApplication]:
        if self.request.query_params.get("planned") == "1":
            return gatherings_planned(self.request.user)
        return gatherings_visible(self.request.user)

    def perform_service(self, request: Request, data: dict[str, Any]) -> GatheringApplication:
        unit = found(units_in(request.user, Capability.EDIT_PEOPLE), data.pop("unit"))
        return gathering_apply(actor=request_user(request), data=GatheringInput(unit=unit, **data))

    @extend_schema(responses={200: GatheringSerializer(many=True)})
    @action(detail=False)
    def queue(self, request: Request) -> Response:
        page = self.paginate_queryset(gatherings_to_decide(request.user))
        return self.get_paginated_response(GatheringSerializer(page, many=True).data)

    @extend_schema(request=GuestInSerializer, responses={200: GuestSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def guests(self, request: Request, pk: str) -> Response:
        """The guest list, each guest checked for the day (``reasons``: why they may not
        attend); POST puts a guest on it: ``person`` (register number), or ``name`` and
        ``id_number``."""
        application = self.get_object()
        if request.method == "POST":
            incoming = GuestInSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            data = incoming.validated_data
            person = None
            if data.get("person"):
                person = person_get_visible(request.user, data["person"])
                if person is None:
                    raise ValidationError(
                        {"person": [_("No person with this number in your units.")]}
                    )
            gathering_guest_add(
                actor=request_user(request),
                application=application,
                data=GuestInput(
                    person=person, name=data.get("name", ""), id_number=data.get("id_number", "")
                ),
            )
        rows = [
            {"id": c.guest.pk, "person": c.guest.person_id, "name": c.guest.person.name,
             "reasons": c.reasons}
            for c in guests_checked(application)
        ]  # fmt: skip
        code = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
        return Response(GuestSerializer(rows, many=True).data, status=code)

    @extend_schema(request=DecisionSerializer, responses={200: GatheringSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        application = gatherings_to_decide(request.user).filter(pk=pk).first()
        if application is None:
            raise NotFound
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        application = gathering_decide(
            actor=request_user(request),
            application_id=application.pk,
            approve=incoming.validated_data["approve"],
            reason=incoming.validated_data["reason"],
        )
        return Response(GatheringSerializer(application).data)


class TripInSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    to_region = serializers.RegexField(r"^[0-9]{2,12}$", required=False, default="")
    to_country = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, default="")
    leave_on = serializers.DateField()
    return_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class TripReturnSerializer(serializers.Serializer):
    returned_on = serializers.DateField()


class ApprovalStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApprovalStep
        fields = ["id", "request", "position", "label", "role", "approver_unit", "status"]


class TripSerializer(serializers.ModelSerializer):
    steps = ApprovalStepSerializer(many=True, read_only=True)

    class Meta:
        model = TravelRequest
        fields = [
            "id",
            "person",
            "unit",
            "to_region",
            "to_country",
            "leave_on",
            "return_on",
            "reason",
            "pack_id",
            "chain_id",
            "verdict",
            "clause",
            "status",
            "refusal",
            "returned_on",
            "created_at",
            "decided_at",
            "steps",
        ]


class TravelRequestViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Leave and travel requests of the caller's units; POST files one; ``queue/`` lists the steps
    waiting for the caller; ``{id}/decide/`` decides the request's step waiting for the caller;
    ``{id}/return/`` records the traveller back."""

    serializer_class = TripSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    input_serializer_class = TripInSerializer

    def get_queryset(self) -> QuerySet[TravelRequest]:
        return travel_requests_visible(self.request.user).prefetch_related("steps")

    def perform_service(self, request: Request, data: dict[str, Any]) -> TravelRequest:
        person = person_get_visible(request.user, data.pop("person"), Capability.EDIT_PEOPLE)
        if person is None:
            raise NotFound
        return travel_request_file(
            actor=request_user(request),
            data=TravelRequestInput(
                person=person,
                leave_on=data["leave_on"],
                return_on=data["return_on"],
                reason=data["reason"],
                to_region_code=data["to_region"],
                to_country=data["to_country"],
            ),
        )

    @extend_schema(responses={200: ApprovalStepSerializer(many=True)})
    @action(detail=False)
    def queue(self, request: Request) -> Response:
        page = self.paginate_queryset(steps_to_decide(request.user))
        return self.get_paginated_response(ApprovalStepSerializer(page, many=True).data)

    @extend_schema(request=DecisionSerializer, responses={200: TripSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        step = steps_to_decide(request.user).filter(request_id=int(pk)).first()
        if step is None:
            raise NotFound
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        decided = travel_step_decide(
            actor=request_user(request),
            step_id=step.pk,
            approve=incoming.validated_data["approve"],
            reason=incoming.validated_data["reason"],
        )
        return Response(TripSerializer(decided).data)

    @extend_schema(request=TripReturnSerializer, responses={200: TripSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def back(self, request: Request, pk: str) -> Response:
        trip = (
            travel_requests_visible(request.user)
            .filter(status__in=[RequestStatus.APPROVED, RequestStatus.NOTED], pk=pk)
            .first()
        )
        if trip is None:
            raise NotFound
        incoming = TripReturnSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        returned = travel_request_return(
            actor=request_user(request),
            request_id=trip.pk,
            returned_on=incoming.validated_data["returned_on"],
        )
        return Response(TripSerializer(returned).data)


class SlotInSerializer(serializers.Serializer):
    venue = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    day = serializers.DateField()
    starts_at = serializers.TimeField()
    ends_at = serializers.TimeField()
    capacity = serializers.IntegerField(min_value=0, max_value=2**31 - 1)


class SlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = VenueSlot
        fields = ["id", "venue", "day", "starts_at", "ends_at", "capacity", "booked"]


class BookingSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ReservationSerializer(serializers.ModelSerializer):
    """The booker's name and phone are masked, and their number in the register left out, unless
    the caller may see them."""

    person = serializers.SerializerMethodField()
    name = serializers.CharField(source="booker_name", read_only=True)
    phone = serializers.CharField(source="booker_phone", read_only=True)
    through_link = serializers.SerializerMethodField()

    class Meta:
        model = Reservation
        fields = ["id", "slot", "person", "name", "phone", "through_link", "booked_at",
                  "cancelled_at"]  # fmt: skip

    def get_person(self, reservation: Reservation) -> int | None:
        return reservation.person_id if getattr(reservation, "booker_seen", False) else None

    def get_through_link(self, reservation: Reservation) -> bool:
        return bool(reservation.code)


class LiveCountSerializer(serializers.Serializer):
    venue = serializers.IntegerField()
    name = serializers.CharField()
    limit = serializers.IntegerField(allow_null=True)
    reservation = serializers.BooleanField()
    clauses = serializers.CharField()
    places = serializers.IntegerField()
    booked = serializers.IntegerField()
    entries = serializers.IntegerField()


class VenueSlotViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Time slots of the venues the caller keeps (``?venue=``, ``?day=`` narrow them); POST adds
    one within the plan's limit; ``{id}/book/`` books a person; ``live/`` counts each venue today
    (places, reservations, entries)."""

    serializer_class = SlotSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    input_serializer_class = SlotInSerializer

    def get_queryset(self) -> QuerySet[VenueSlot]:
        slots = slots_visible(self.request.user)
        venue = query_int(self.request.query_params, "venue", high=2**63 - 1)
        if venue:
            slots = slots.filter(venue_id=venue)
        day = self.request.query_params.get("day", "")
        if day:
            try:
                slots = slots.filter(day=dt.date.fromisoformat(day[:10]))
            except ValueError:
                raise ValidationError({"day": [_("Not a date (YYYY-MM-DD).")]}) from None
        return slots

    def perform_service(self, request: Request, data: dict[str, Any]) -> VenueSlot:
        venue = found(venues_kept(request.user), data.pop("venue"))
        return venue_slot_create(actor=request_user(request), venue=venue, **data)

    @extend_schema(request=BookingSerializer, responses={201: ReservationSerializer})
    @action(detail=True, methods=["post"])
    def book(self, request: Request, pk: str) -> Response:
        slot = self.get_object()
        incoming = BookingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        person = person_get_visible(request.user, incoming.validated_data["person"])
        if person is None:
            raise ValidationError({"person": [_("No person with this number in your units.")]})
        reservation = reservation_book(actor=request_user(request), slot=slot, person=person)
        shown = reservations_visible(request.user).get(pk=reservation.pk)
        return Response(ReservationSerializer(shown).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: LiveCountSerializer(many=True)})
    @action(detail=False)
    def live(self, request: Request) -> Response:
        today = clock.localdate()
        page = self.paginate_queryset(venues_kept(request.user))
        venues = list(page or [])
        counts = venues_live([venue.pk for venue in venues], today)
        limits = venue_limits(venues, today)
        rows = []
        for venue in venues:
            limit = limits[venue.pk]
            count = counts[venue.pk]
            rows.append(
                {
                    "venue": venue.pk,
                    "name": venue.name,
                    "limit": limit.places,
                    "reservation": limit.reservation,
                    "clauses": limit.clauses,
                    "places": count.places,
                    "booked": count.booked,
                    "entries": count.entries,
                }
            )
        return self.get_paginated_response(LiveCountSerializer(rows, many=True).data)


class ReservationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reservations at the venues the caller keeps (``?slot=`` narrows them); ``{id}/cancel/``
    frees the place."""

    serializer_class = ReservationSerializer
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[Reservation]:
        reservations = reservations_visible(self.request.user)
        slot = query_int(self.request.query_params, "slot", high=2**63 - 1)
        return reservations.filter(slot_id=slot) if slot else reservations

    @extend_schema(request=None, responses={200: ReservationSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        reservation = self.get_object()
        reservation_cancel(actor=request_user(request), reservation_id=reservation.pk)
        return Response(ReservationSerializer(self.get_object()).data)


class OpenSlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = VenueSlot
        fields = ["id", "day", "starts_at", "ends_at", "places_left"]


class BookingPageSerializer(serializers.Serializer):
    venue = serializers.CharField()
    kind = serializers.CharField()
    real_name = serializers.BooleanField()
    slots = OpenSlotSerializer(many=True)


class SelfBookingInSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    name = serializers.CharField(max_length=50, allow_blank=True, trim_whitespace=True)
    phone = serializers.CharField(max_length=20, allow_blank=True, trim_whitespace=True)
    id_number = serializers.CharField(max_length=18, required=False, default="", allow_blank=True)


class SelfCancelInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)


class SelfBookingSerializer(serializers.ModelSerializer):
    """A booking made through a venue's link, as its booker reads it."""

    venue = serializers.CharField(source="slot.venue.name")
    day = serializers.DateField(source="slot.day")
    starts_at = serializers.TimeField(source="slot.starts_at")
    ends_at = serializers.TimeField(source="slot.ends_at")

    class Meta:
        model = Reservation
        fields = ["code", "venue", "day", "starts_at", "ends_at", "cancelled_at"]


class _VenueLinkView(APIView):
    """No account: the venue's signed link is the only key (O-04, I-16)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def venue(self, token: str, *, counted: bool = False) -> Venue:
        venue = venue_link_venue(token)
        if venue is None:
            raise NotFound
        if counted and venue_link_over_rate(venue):
            raise Throttled(detail=_("Too many bookings from this link; try again later."))
        return venue


class VenueBookingView(_VenueLinkView):
    """GET: the venue of a booking link and its free slots of the next days; POST books a place
    by name and phone, answered with the booking code."""

    @extend_schema(responses={200: BookingPageSerializer})
    def get(self, request: Request, booking_token: str) -> Response:
        venue = self.venue(booking_token)
        page = {
            "venue": venue.name,
            "kind": venue.get_kind_display(),
            "real_name": venue_limit(venue, clock.localdate()).real_name,
            "slots": slots_open(venue),
        }
        return Response(BookingPageSerializer(page).data)

    @extend_schema(request=SelfBookingInSerializer, responses={201: SelfBookingSerializer})
    def post(self, request: Request, booking_token: str) -> Response:
        venue = self.venue(booking_token, counted=True)
        incoming = SelfBookingInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        booking = SelfBooking(slot_id=data.pop("slot"), **data)
        reservation = reservation_self_book(venue=venue, data=booking)
        return Response(SelfBookingSerializer(reservation).data, status=status.HTTP_201_CREATED)


class VenueBookingCancelView(_VenueLinkView):
    """POST: cancel a booking made through the link by its code."""

    @extend_schema(request=SelfCancelInSerializer, responses={200: SelfBookingSerializer})
    def post(self, request: Request, booking_token: str) -> Response:
        venue = self.venue(booking_token, counted=True)
        incoming = SelfCancelInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reservation = reservation_self_cancel(venue=venue, code=incoming.validated_data["code"])
        return Response(SelfBookingSerializer(reservation).data)
