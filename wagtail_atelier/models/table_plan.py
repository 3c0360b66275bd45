"""The stored table plan of a workshop, and the harvest of each case table.

Both are personal data: they are seen only in the admin, by users allowed to see
registrations, and never reach a page, a revision, a search index or an API.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..planner import MAX_ROUNDS

#: Largest group size the admin offers (case presenter included).
MAX_GROUP_SIZE = 12


class TablePlan(models.Model):
    """Who sits at which case table in each round of one workshop (all its language
    versions: keyed by the page's ``translation_key``, like registrations).

    ``data`` is the planner's :meth:`~wagtail_atelier.planner.Plan.to_dict` with
    registration primary keys as person ids and without names, which are read from
    the registrations whenever the plan is shown: a deleted registration leaves no
    name behind here, and the people who cancelled since are marked absent.
    """

    workshop_key = models.UUIDField(_("workshop"), unique=True, editable=False)
    rounds = models.PositiveSmallIntegerField(
        _("rounds"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ROUNDS)],
    )
    min_size = models.PositiveSmallIntegerField(
        _("smallest group"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(MAX_GROUP_SIZE)],
    )
    max_size = models.PositiveSmallIntegerField(
        _("largest group"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(MAX_GROUP_SIZE)],
    )
    seed = models.PositiveIntegerField(_("seed"), default=0)
    data = models.JSONField(_("plan"), default=dict, blank=True)
    feasible = models.BooleanField(_("keeps every rule"), default=False)
    show_in_reminder = models.BooleanField(
        _("tables in the reminder mail"),
        default=False,
        help_text=_(
            "Tell each person in their reminder mail at which table they sit in "
            "each round."
        ),
    )
    #: Incremented on every change, so that an edit made on a stale screen is
    #: refused instead of silently undoing someone else's change.
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("table plan")
        verbose_name_plural = _("table plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_size__lte=models.F("max_size")),
                name="wagtail_atelier_table_plan_sizes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class TableHarvest(models.Model):
    """What the case presenter of one table takes away from the three rounds.

    Recorded by the facilitators after the workshop; it can be mailed to the
    presenter in their language. Deleted with the registration.
    """

    presenter = models.OneToOneField(
        "wagtail_atelier.Registration",
        verbose_name=_("case presenter"),
        on_delete=models.CASCADE,
        related_name="harvest",
    )
    workshop_key = models.UUIDField(_("workshop"), db_index=True, editable=False)
    key_insights = models.TextField(
        _("key insights"),
        blank=True,
        help_text=_("What the case presenter takes away from the advice."),
    )
    next_steps = models.TextField(
        _("next steps"),
        blank=True,
        help_text=_("What the case presenter plans to do next."),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent to the case presenter at"), null=True)
    keep_after_retention = models.BooleanField(
        _("keep for the network's learning"),
        default=False,
        help_text=_(
            "Tick only if the text names nobody and tells nothing about the case "
            "presenter's situation. It is then kept, without any link to the person, "
            "when the workshop's personal data are removed."
        ),
    )

    class Meta:
        verbose_name = _("harvest")
        verbose_name_plural = _("harvests")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def is_empty(self) -> bool:
        return not (self.key_insights.strip() or self.next_steps.strip())
