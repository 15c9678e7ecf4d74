"""REST API of status codes: a person's current code, and the gate's check of a scanned one."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong.healthcodes.codes import MAX_TOKEN, Checked, status_code_check, status_code_issue
from fangkong.people.selectors import person_get_visible


class CodeSerializer(serializers.Serializer):
    colour = serializers.CharField()
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    token = serializers.CharField()


class CheckInSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=MAX_TOKEN)


class CheckedSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    reason = serializers.CharField()
    colour = serializers.CharField(allow_null=True)
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)


class PersonCodeView(APIView):
    """GET: the current status code of a person the caller may open (E-21)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CodeSerializer})
    def get(self, request: Request, person_id: int) -> Response:
        person = person_get_visible(request.user, person_id)
        if person is None:
            raise Http404
        return Response(CodeSerializer(status_code_issue(person.pk)).data)


class CodeCheckView(APIView):
    """POST a scanned code: whether it is genuine and current, its colour and validity only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CheckInSerializer, responses={200: CheckedSerializer})
    def post(self, request: Request) -> Response:
        incoming = CheckInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            checked: Checked = status_code_check(incoming.validated_data["token"])
        except ValueError as error:
            raise BadRequest({"token": [str(error)]}) from error
        return Response(CheckedSerializer(checked).data)
