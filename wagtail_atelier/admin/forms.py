"""What the package's admin forms share: the accessible error pattern of the public
forms (an error summary that takes focus, each line linked to its control; each
field's help and errors under the ids Django puts in ``aria-describedby``:
``<auto_id>_helptext`` and ``<auto_id>_error``), rendered by
``templates/wagtail_atelier/admin/includes/{error_summary,field}.html``."""

from __future__ import annotations

from ..public.forms import ErrorSummaryMixin, focus_target_id, label_with_error

__all__ = ["AdminErrorSummaryMixin", "error_lines"]


class AdminErrorSummaryMixin(ErrorSummaryMixin):
    """``form.error_summary()``: ``[{"target": control id, "text": line}]``."""


def error_lines(form, *, prefix: str = "") -> list[dict]:
    """The error summary lines of any form, each prefixed (for instance with the
    name of the person a form of a formset is about)."""
    lines = [{"target": "", "text": str(error)} for error in form.non_field_errors()]
    for field in form:
        target = "" if field.is_hidden else focus_target_id(field)
        for error in field.errors:
            lines.append(
                {"target": target, "text": label_with_error(field.label, error)}
            )
    if prefix:
        for line in lines:
            line["text"] = f"{prefix} – {line['text']}"
    return lines
