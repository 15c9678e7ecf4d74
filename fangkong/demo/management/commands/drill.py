"""``fangkong drill run --seed N [--people N] [--cases N] [--days N]``: the drill simulator.

Builds an outbreak on a county of its own and runs it day by day through the services on the
controlled clock (fangkong/demo/drill.py), then prints the 四早 board and the overdue list as the
drill's commander sees them when it ends, and leaves the stored clock there so the pages agree.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fangkong.command.sizao import Period, sizao_read
from fangkong.core import clock
from fangkong.demo.drill import Drill, DrillSize, drill_exists, drill_run
from fangkong.obligations.selectors import obligations_list, span_minutes


def _minutes(minutes: int | None) -> str:
    return "—" if minutes is None else _("%(minutes)d min") % {"minutes": minutes}


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Drills: run builds an outbreak from a seed and drives it through the services."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="simulate an outbreak and print the 四早 board")
        run.add_argument("--seed", type=int, required=True)
        run.add_argument("--people", type=_positive, default=DrillSize.people)
        run.add_argument("--cases", type=_positive, default=DrillSize.cases)
        run.add_argument("--days", type=_positive, default=DrillSize.days)

    def handle(self, *args: Any, **options: Any) -> None:
        size = DrillSize(options["people"], options["cases"], options["days"], options["seed"])
        if size.cases > size.people:
            raise CommandError(_("More index cases than people."))
        if drill_exists(size.seed):
            raise CommandError(
                _("Drill %(seed)s has run on this database already.") % {"seed": size.seed}
            )
        drill = drill_run(size)
        clock.clock_set(drill.ended)
        with clock.frozen(drill.ended):
            self._print(drill)

    def _print(self, drill: Drill) -> None:
        out = self.stdout
        first, last = drill.started.date(), clock.day_ended_by(drill.ended)
        out.write(
            _("%(unit)s: %(people)d people, %(days)d days from %(first)s, %(cases)d index cases")
            % {
                "unit": drill.hq.name,
                "people": drill.size.people,
                "days": drill.size.days,
                "first": first,
                "cases": drill.size.cases,
            }
        )
        out.write(
            _("Cases: %(cases)d; contacts: %(contacts)d; check-ins: %(checkins)d")
            % {"cases": drill.cases, "contacts": drill.contacts, "checkins": drill.checkins}
        )
        board = sizao_read(drill.commander, Period(drill.hq, first, last))
        out.write("")
        out.write(f"{_('Early response board')}（{first} — {last}）")
        out.write(
            "\t".join(
                [
                    _("Deadlines by kind"),
                    _("Fell due"),
                    _("Met on time"),
                    _("Met late"),
                    _("Open and late"),
                    _("Not yet due"),
                    _("Worst lateness"),
                ]
            )
        )
        for kind in board.kinds:
            worst = span_minutes(kind.worst)
            out.write(
                "\t".join(
                    str(value)
                    for value in (
                        kind.label,
                        kind.due,
                        kind.on_time,
                        kind.met_late,
                        kind.open_late,
                        kind.not_yet_due,
                        _minutes(worst),
                    )
                )
            )
        out.write(f"{_('Cases from step to step')}（{_('Median')}）")
        for label, span in board.median_rows:
            out.write(f"{label}\t{_minutes(span_minutes(span))}")
        rows = list(obligations_list(drill.commander, state="overdue"))
        out.write("")
        out.write(f"{_('Overdue')}：{len(rows)}")
        for row in rows:
            local = row.due_at.astimezone(clock.tz())
            out.write(
                "\t".join(
                    [
                        f"{local:%Y-%m-%d %H:%M}",
                        row.get_kind_display(),
                        row.unit.name,
                        row.person.name if row.person else "",
                    ]
                )
            )
