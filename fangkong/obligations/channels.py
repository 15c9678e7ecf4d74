"""Reminder channels beyond the inbox: e-mail and an SMS gateway, chosen by settings.

The inbox row is the reminder of record; a channel failing (no network on an intranet, a gateway
down) is logged and never loses the inbox row or stops the tick.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from fangkong.core import clock
from fangkong.core.lookups import Ids
from fangkong.obligations.models import Notification
from fangkong.org.models import Membership

log = logging.getLogger("fangkong.reminders")


def _sms(phone: str, text: str) -> None:
    url = settings.FANGKONG_SMS_URL
    if not url:
        log.info("SMS to %s: %s", phone, text)
        return
    body = json.dumps({"to": phone, "text": text}, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the gateway URL is configured by the operator
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def notifications_send(notification_ids: Sequence[int]) -> int:
    """Send those of the notifications not sent yet. Each is claimed first (``sent_at`` set where
    empty, the rows locked), so a retried or duplicated task never sends a message twice; a send
    that fails after its claim is logged and not retried (the inbox keeps the message)."""
    if not settings.FANGKONG_REMINDER_CHANNELS:
        return 0
    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__any=Ids(notification_ids), sent_at__isnull=True)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__any=Ids(claimed), sent_at__isnull=True).update(
            sent_at=clock.now()
        )
    return reminders_send(
        Notification.objects.filter(pk__any=Ids(claimed)).select_related("user", "unit")
    )


def reminders_send(notifications: Iterable[Notification]) -> int:
    """Send each notification by the configured channels, in Chinese (the users' language)."""
    channels = set(settings.FANGKONG_REMINDER_CHANNELS)
    if not channels:
        return 0
    notes = list(notifications)
    phones: dict[tuple[int, int | None], str] = {}  # (user, unit or None) → duty phone
    if "sms" in channels:
        for user_id, unit_id, phone in (
            Membership.objects.filter(user_id__in={n.user_id for n in notes})
            .exclude(phone="")
            .values_list("user_id", "unit_id", "phone")
        ):
            phones.setdefault((user_id, unit_id), phone)
            phones.setdefault((user_id, None), phone)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for note in notes:
            text = f"【防控】{note.text}"
            try:
                if "email" in channels and note.user.email:
                    send_mail(text, text, None, [note.user.email])
                    sent += 1
                phone = phones.get((note.user_id, note.unit_id)) or phones.get(
                    (note.user_id, None), ""
                )
                if "sms" in channels and phone:
                    _sms(phone, text)
                    sent += 1
            except OSError:
                log.exception("reminder to user %s failed", note.user_id)
    return sent
