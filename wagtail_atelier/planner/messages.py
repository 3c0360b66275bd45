"""English default texts of the planner's diagnostics, violations and suggestions.

Every text is keyed by a stable code and written as a %-format template over the
``params`` of the message, so that the web layer can translate it with
``gettext(template) % params``. The templates are wrapped in :func:`gettext_noop` so
that ``makemessages`` (which looks for that name) extracts them into the catalogues,
while this package stays free of any web framework import.
"""

from __future__ import annotations

from collections.abc import Mapping


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it (extraction only)."""
    return message


#: Diagnostics: why an instance cannot be planned, or what the planner noticed.
DIAGNOSTICS: dict[str, str] = {
    "no_tables": gettext_noop(
        "There is no table: the plan needs at least one confirmed case presenter."
    ),
    "no_advisers": gettext_noop(
        "There is nobody to seat: the plan needs participants besides the case "
        "presenters."
    ),
    "too_few_advisers": gettext_noop(
        "Too few participants: %(advisers)s, while %(tables)s tables of at least "
        "%(min_size)s people need %(needed)s besides the case presenters "
        "(%(per_table)s per table)."
    ),
    "too_many_advisers": gettext_noop(
        "Too many participants: %(advisers)s, while %(tables)s tables of at most "
        "%(max_size)s people have room for %(room)s besides the case presenters."
    ),
    "rounds_exceed_tables": gettext_noop(
        "More rounds (%(rounds)s) than tables (%(tables)s): the participants cannot "
        "visit a different table in every round."
    ),
    "adviser_language_unmatched": gettext_noop(
        "%(adviser)s speaks %(languages)s, but no table is held in that language "
        "(the tables are in %(table_languages)s)."
    ),
    "adviser_too_few_tables": gettext_noop(
        "%(adviser)s can follow the conversation at only %(reachable)s of the "
        "tables (languages: %(languages)s), but there are %(rounds)s rounds."
    ),
    "table_language_unmatched": gettext_noop(
        "Table %(table)s is held in %(language)s, but no participant speaks "
        "%(language)s."
    ),
    "language_group_too_small": gettext_noop(
        "Too few participants speak %(languages)s: %(speakers)s, while the tables "
        "held in %(languages)s (%(tables)s) need at least %(needed)s in every "
        "round."
    ),
    "language_visits_too_few": gettext_noop(
        "Over the %(rounds)s rounds, the tables held in %(languages)s (%(tables)s) "
        "need %(needed)s places filled, but those who speak %(languages)s can fill "
        "only %(possible)s without sitting at the same table twice."
    ),
    "language_group_too_large": gettext_noop(
        "Too many participants speak only %(languages)s: %(advisers)s, while the "
        "tables held in %(languages)s (%(tables)s) have room for %(room)s in a "
        "round."
    ),
    "lock_language": gettext_noop(
        "%(adviser)s is fixed at table %(table)s in round %(round)s, but does not "
        "speak %(language)s, the table's language."
    ),
    "lock_revisit": gettext_noop(
        "%(adviser)s is fixed at table %(table)s in more than one round (%(rounds)s)."
    ),
    "lock_overfull": gettext_noop(
        "Too many people are fixed at table %(table)s in round %(round)s: %(count)s "
        "participants and the case presenter, above the maximum of %(max_size)s."
    ),
    "lock_ignored_absent": gettext_noop(
        "The fixed place of %(adviser)s at table %(table)s in round %(round)s was "
        "dropped because %(person)s is absent."
    ),
    "table_removed_absent": gettext_noop(
        "Table %(table)s was left out because its case presenter is absent."
    ),
    "no_plan_found": gettext_noop(
        "The planner could not find a plan that keeps every rule (problems left: "
        "%(violations)s). One may still exist, but it is tight."
    ),
}

#: Suggestions: what would make an instance plannable.
SUGGESTIONS: dict[str, str] = {
    "smaller_groups": gettext_noop(
        "Allow smaller groups: a minimum of %(min_size)s people per table."
    ),
    "larger_groups": gettext_noop(
        "Allow larger groups: a maximum of %(max_size)s people per table."
    ),
    "fewer_rounds": gettext_noop(
        "Reduce the number of rounds to %(rounds)s (now %(current)s)."
    ),
    "merge_tables": gettext_noop(
        "Merge table %(table)s with table %(other_table)s (both in %(language)s)."
    ),
    "fewer_tables": gettext_noop(
        "Reduce the number of tables to %(tables)s (now %(current)s) by merging "
        "cases that are close."
    ),
    "more_tables": gettext_noop(
        "Open more tables (%(count)s more): ask more participants to bring a case."
    ),
    "allow_language": gettext_noop(
        "Ask whether %(adviser)s can follow a conversation in %(language)s."
    ),
    "change_table_language": gettext_noop(
        "Hold table %(table)s in %(language)s, which %(speakers)s participants speak."
    ),
    "add_speakers": gettext_noop(
        "Find more participants who speak %(languages)s (at least %(count)s)."
    ),
    "release_lock": gettext_noop(
        "Release the fixed place of %(adviser)s in round %(round)s."
    ),
}

#: Violations: a broken hard rule in a given plan.
VIOLATIONS: dict[str, str] = {
    "unassigned": gettext_noop("%(adviser)s has no table in round %(round)s."),
    "unknown_table": gettext_noop(
        "%(adviser)s is seated at table %(table)s in round %(round)s, which does not "
        "exist."
    ),
    "language_mismatch": gettext_noop(
        "%(adviser)s does not speak %(language)s, the language of table %(table)s "
        "(round %(round)s)."
    ),
    "table_revisited": gettext_noop(
        "%(adviser)s sits at table %(table)s again in round %(round)s."
    ),
    "table_too_small": gettext_noop(
        "Table %(table)s is too small in round %(round)s: size %(size)s, below the "
        "minimum of %(min_size)s (case presenter included)."
    ),
    "table_too_large": gettext_noop(
        "Table %(table)s is too large in round %(round)s: size %(size)s, above the "
        "maximum of %(max_size)s (case presenter included)."
    ),
    "lock_not_kept": gettext_noop(
        "%(adviser)s is fixed at table %(table)s in round %(round)s but sits elsewhere."
    ),
}

#: Codes of :class:`~wagtail_atelier.planner.PlannerInputError`.
INPUT_ERRORS: dict[str, str] = {
    "rounds_out_of_range": gettext_noop(
        "The number of rounds must be between 1 and %(max_rounds)s, not %(rounds)s."
    ),
    "min_size_too_small": gettext_noop(
        "A table needs at least 2 people (its case presenter and one participant), "
        "not %(min_size)s."
    ),
    "min_above_max": gettext_noop(
        "The smallest group size (%(min_size)s) is above the largest (%(max_size)s)."
    ),
    "duplicate_id": gettext_noop("The identifier %(id)s is used twice."),
    "unknown_lock_target": gettext_noop(
        "A fixed place names an unknown %(kind)s: %(id)s."
    ),
    "lock_round_out_of_range": gettext_noop(
        "A fixed place is in round %(round)s, but the rounds are 1 to %(rounds)s."
    ),
    "conflicting_locks": gettext_noop(
        "%(adviser)s is fixed at two tables in round %(round)s."
    ),
    "unknown_move_target": gettext_noop("There is no %(kind)s %(id)s to move."),
    "round_out_of_range": gettext_noop(
        "There is no round %(round)s: the rounds are 1 to %(rounds)s."
    ),
    "negative_weight": gettext_noop("The weight %(name)s must not be negative."),
    "bad_plan_data": gettext_noop("The stored plan cannot be read: %(reason)s"),
}


def render(template: str, params: Mapping[str, object]) -> str:
    """Fill a template with its parameters, leaving it readable if one is missing."""
    try:
        return template % dict(params)
    except (KeyError, TypeError, ValueError):
        return template
