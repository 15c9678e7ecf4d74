"""Roles a user holds in a unit, and what each role may do there.

The capabilities are deliberately few and coarse; a pack or a later issue can refine them. Every
check in views, API and exports goes through ``org.access``, which reads ROLE_CAPABILITIES.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMANDER = "commander", _("commander")
    GRID_WORKER = "grid_worker", _("grid worker")
    SCHOOL_HEALTH_OFFICER = "school_health_officer", _("school health officer")
    CLASS_TEACHER = "class_teacher", _("class teacher")
    PRINCIPAL = "principal", _("principal")
    LAB_TECHNICIAN = "lab_technician", _("lab technician")
    SAMPLER = "sampler", _("sampler")
    SITE_MANAGER = "site_manager", _("quarantine site manager")
    PHARMACIST = "pharmacist", _("pharmacist")
    EPIDEMIOLOGIST = "epidemiologist", _("epidemiologist")
    GATE_KEEPER = "gate_keeper", _("gate keeper")
    VIEWER = "viewer", _("viewer")


class Capability(StrEnum):
    VIEW_PEOPLE = "view_people"
    EDIT_PEOPLE = "edit_people"
    IMPORT_PEOPLE = "import_people"
    EXPORT = "export"
    REVEAL_ID = "reveal_id"
    MANAGE_UNITS = "manage_units"
    VIEW_AUDIT = "view_audit"
    MANAGE_PLANS = "manage_plans"  # risk areas, plan assignments, cross-infections
    SAMPLE = "sample"  # swab people into tubes, send boxes
    RUN_LAB = "run_lab"  # receive boxes, enter results of the tubes sent to the lab
    APPROVE_GATHERINGS = "approve_gatherings"  # decide the gatherings filed with the units below
    # Decide a step of a leave or travel request (J-01 … J-08) that names the holder's role
    APPROVE_REQUESTS = "approve_requests"
    MANAGE_SITE = "manage_site"  # a quarantine site's rooms, placing people there, its board
    # Report and follow cases, declare outbreaks, investigate them and decide who their contacts are
    INVESTIGATE = "investigate"
    KEEP_ROSTER = "keep_roster"  # the unit's duty roster: shifts, leader on duty, handovers
    # The unit's supplies (stock, requests, issues down) and its disinfection schedules and log
    KEEP_SUPPLIES = "keep_supplies"
    # Keep a pharmacy's register of drug sales (药店实名登记, K-01 … K-03) and mark them reported
    RECORD_SALES = "record_sales"
    # Keep the social-security office's register of the work injuries employers report (G-13)
    RECORD_INJURIES = "record_injuries"
    # Set up the gates and checkpoints of the units, assign their keepers, read every register
    MANAGE_GATES = "manage_gates"
    # Register the entries at the gates one is assigned to keep (门岗登记, E-19 … E-21)
    KEEP_GATE = "keep_gate"


_ALL = frozenset(Capability)
_REGISTER_KEEPER = frozenset(
    {Capability.VIEW_PEOPLE, Capability.EDIT_PEOPLE, Capability.IMPORT_PEOPLE, Capability.EXPORT}
)

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.COMMANDER: _ALL,
    Role.GRID_WORKER: _REGISTER_KEEPER
    | {
        Capability.MANAGE_GATES,
        Capability.SAMPLE,
        Capability.INVESTIGATE,
        Capability.KEEP_ROSTER,
        Capability.KEEP_SUPPLIES,
        Capability.APPROVE_REQUESTS,
    },
    Role.SCHOOL_HEALTH_OFFICER: _REGISTER_KEEPER
    | {
        Capability.INVESTIGATE,
        Capability.KEEP_ROSTER,
        Capability.APPROVE_REQUESTS,
        Capability.MANAGE_GATES,
        Capability.KEEP_SUPPLIES,
    },
    Role.CLASS_TEACHER: frozenset(
        {Capability.VIEW_PEOPLE, Capability.EDIT_PEOPLE, Capability.APPROVE_REQUESTS}
    ),
    Role.PRINCIPAL: _REGISTER_KEEPER
    | {
        Capability.VIEW_AUDIT,
        Capability.APPROVE_GATHERINGS,
        Capability.APPROVE_REQUESTS,
        Capability.INVESTIGATE,
        Capability.KEEP_ROSTER,
        Capability.MANAGE_GATES,
        Capability.KEEP_SUPPLIES,
    },
    # A lab sees the tubes sent to it, not the register of its parent unit.
    Role.LAB_TECHNICIAN: frozenset({Capability.RUN_LAB}),
    Role.SAMPLER: frozenset({Capability.VIEW_PEOPLE, Capability.SAMPLE}),
    Role.SITE_MANAGER: frozenset(
        {
            Capability.VIEW_PEOPLE,
            Capability.EDIT_PEOPLE,
            Capability.MANAGE_SITE,
            Capability.INVESTIGATE,
            Capability.KEEP_ROSTER,
            Capability.KEEP_SUPPLIES,
            Capability.KEEP_SUPPLIES,
        }
    ),
    # A pharmacist keeps the pharmacy's sales register, not the register of people.
    Role.PHARMACIST: frozenset({Capability.RECORD_SALES}),
    Role.EPIDEMIOLOGIST: frozenset(
        {Capability.VIEW_PEOPLE, Capability.REVEAL_ID, Capability.EXPORT, Capability.INVESTIGATE}
    ),
    Role.VIEWER: frozenset({Capability.VIEW_PEOPLE}),
    # A gate keeper registers the entries at the gates assigned to them (org.access.gates_kept),
    # not the whole unit's gates nor its register.
    Role.GATE_KEEPER: frozenset({Capability.KEEP_GATE}),
}

# Roles whose people are also those placed at their quarantine site now (org.access): a site
# manager looks after the people in the site's rooms, whatever unit they come from.
PLACED_PEOPLE_ROLES = frozenset({Role.SITE_MANAGER})
