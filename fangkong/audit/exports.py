"""A list leaving as a file: counted and audited before its first row leaves, then streamed as
it is read (``core.exports``). The register has its own (full ID numbers, COPY); every other list
the offices keep (rounds, tubes, check-ins, fevers, measures, deadlines, risk areas, the audit
trail) leaves through ``list_export``, from the query its page reads, scoped by the access module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core.exports import Format, export_response

EXPORT_BATCH = 5000


def list_export(
    *,
    actor: User | AnonymousUser,
    kind: Format,
    title: str,
    object_type: str,
    unit_id: int | None,
    header: Sequence[str],
    rows: QuerySet[Any],
    columns: Sequence[str],
    shape: Callable[[tuple[Any, ...]], Sequence[object]],
    filters: str = "",
) -> StreamingHttpResponse:
    """``rows`` (already scoped) as the download ``title``: each row read as the values of
    ``columns`` through one cursor in batches, written as ``shape`` makes it. Audited under
    ``unit_id`` (the unit covering what was read) with the row count and the filters."""
    count = rows.count()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=object_type,
        unit_id=unit_id,
        summary=(
            _("%(count)d rows of “%(title)s” exported; %(filters)s")
            if filters
            else _("%(count)d rows of “%(title)s” exported")
        )
        % {"count": count, "title": title, "filters": filters},
        changes={"count": count},
    )
    reading = rows.values_list(*columns).iterator(chunk_size=EXPORT_BATCH)
    return export_response(title, kind, header, map(shape, reading))
