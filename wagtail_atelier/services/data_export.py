"""Rows of personal data as JSON, for the downloads of the per-workshop purge and of a
person's access request: one conversion, so both files read the same way."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import models
from django.utils import timezone

from ..models.personal_data import personal_data
from .mail import redact_secret_links


def json_value(value: Any) -> Any:
    """``value`` as JSON holds it: times in ISO 8601 (local time, with its offset),
    ids and UUIDs as they are, relations as the related id. A secret link in a text
    (a mail not sent yet) is hidden, as everywhere in the admin."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, str):
        return redact_secret_links(value)
    return value


def export_row(instance: models.Model, fields: tuple[str, ...] | None = None) -> dict:
    """The id of ``instance`` and the fields an export shows of it (by default
    the registry's ``exported_fields()``)."""
    names = (
        fields
        if fields is not None
        else personal_data(type(instance)).exported_fields()
    )
    row = {"id": instance.pk}
    for name in names:
        if name != "id":
            row[name] = json_value(getattr(instance, name))
    return row
