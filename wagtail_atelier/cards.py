"""What a workshop card and the teaser say about registration: its state and, per
role, the places left, the waiting list or "fully booked".

:func:`attach_card_states` gives every workshop of a listing its state: with no
query when the listing's queryset went through :func:`with_seat_counts` (the
confirmed seats per role, as subqueries of the listing's own query), else with one
query for all of them, so a page of cards costs the same whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models.registration import Registration, RegistrationRole, RegistrationStatus
from .services.registration import (
    RegistrationState,
    RoleSeats,
    capacity_for,
    registration_state,
)


class RoleAvailability:
    """What a card says for one role (stable codes, used as CSS modifiers)."""

    PLACES_LEFT = "places_left"  # with a number, when the workshop shows them
    AVAILABLE = "available"  # no limit, or the number is not shown
    WAITING_LIST = "waiting_list"  # full, registration open: new people wait
    FULL = "full"  # full, registration not open


@dataclass(frozen=True)
class RoleCardState:
    role: str
    label: str
    availability: str
    left: int | None = None


@dataclass(frozen=True)
class CardState:
    registration_state: RegistrationState
    roles: tuple[RoleCardState, ...]

    @property
    def is_open(self) -> bool:
        return self.registration_state == RegistrationState.OPEN

    @property
    def says_something(self) -> bool:
        """Nothing to say once the workshop has started (or is not published)."""
        return self.registration_state not in (
            RegistrationState.PAST,
            RegistrationState.UNPUBLISHED,
        )

    @property
    def waiting_list_only(self) -> bool:
        """Open, and every role is full: whoever registers now waits."""
        return self.is_open and all(
            role.availability == RoleAvailability.WAITING_LIST for role in self.roles
        )


def _role_state(workshop, seats: RoleSeats, state: RegistrationState):
    if seats.is_full:
        availability = (
            RoleAvailability.WAITING_LIST
            if state == RegistrationState.OPEN
            else RoleAvailability.FULL
        )
        return RoleCardState(seats.role, seats.label, availability)
    if state != RegistrationState.OPEN:
        return None
    if seats.capacity is not None and workshop.show_places_left:
        return RoleCardState(
            seats.role, seats.label, RoleAvailability.PLACES_LEFT, seats.left
        )
    return RoleCardState(seats.role, seats.label, RoleAvailability.AVAILABLE)


def _seats_attribute(role: str) -> str:
    return f"confirmed_{role}_seats"


def with_seat_counts(queryset):
    """``queryset`` of workshop pages annotated with the confirmed seats per role
    (``confirmed_<role>_seats``), as subqueries: no query of its own."""
    annotations = {}
    for role in RegistrationRole.values:
        confirmed = (
            Registration.objects.filter(
                workshop_key=OuterRef("translation_key"),
                role=role,
                status=RegistrationStatus.CONFIRMED,
            )
            .order_by()
            .values("workshop_key")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        annotations[_seats_attribute(role)] = Coalesce(
            Subquery(confirmed, output_field=IntegerField()), 0
        )
    return queryset.annotate(**annotations)


def card_state(workshop, counts: dict, now=None) -> CardState:
    """The card state of ``workshop`` from ``counts``, ``{(role, status): n}`` of
    its registrations (see :meth:`RegistrationQuerySet.counts`)."""
    state = registration_state(workshop, now)
    roles: list[RoleCardState] = []
    if state in (
        RegistrationState.OPEN,
        RegistrationState.CLOSED,
        RegistrationState.NOT_YET_OPEN,
    ):
        for role in RegistrationRole.values:
            seats = RoleSeats(
                role=role,
                capacity=capacity_for(workshop, role),
                confirmed=counts.get((role, RegistrationStatus.CONFIRMED), 0),
                waiting=counts.get((role, RegistrationStatus.WAITING), 0),
            )
            role_state = _role_state(workshop, seats, state)
            if role_state is not None:
                roles.append(role_state)
    return CardState(registration_state=state, roles=tuple(roles))


def attach_card_states(workshops: Iterable, now=None) -> list:
    """Set ``card_state`` on each workshop; one query for all of them, none when
    every workshop has ended. Returns the workshops as a list."""
    workshops = list(workshops)
    now = now or timezone.now()
    counts: dict = {}
    annotated = [
        role
        for role in RegistrationRole.values
        if all(hasattr(w, _seats_attribute(role)) for w in workshops)
    ]
    if len(annotated) == len(RegistrationRole.values):
        for workshop in workshops:
            counts[workshop.translation_key] = {
                (role, RegistrationStatus.CONFIRMED): getattr(
                    workshop, _seats_attribute(role)
                )
                for role in annotated
            }
    elif keys := {w.translation_key for w in workshops if w.end_at >= now}:
        rows = (
            Registration.objects.filter(workshop_key__in=keys)
            .values_list("workshop_key", "role", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for key, role, status, n in rows:
            counts.setdefault(key, {})[(role, status)] = n
    for workshop in workshops:
        workshop.card_state = card_state(
            workshop, counts.get(workshop.translation_key, {}), now
        )
    return workshops
