"""The wagtail-modeladmin classes of the registrations, mails and host requests.

wagtail-modeladmin is in maintenance mode upstream; keeping every use of it in this
sub-package means it can be swapped for Wagtail's ModelViewSet without touching the
rest (``urls.py`` beside this module is the one place that knows the URL names).

Who sees what (all real Django permissions, assignable to groups in the admin):

- registrations: ``view_registration`` or ``change_registration`` to see the menu,
  the listing, the export and a registration; ``change_registration`` to correct
  typos and to run the actions (promote, cancel, attendance); ``delete_registration``
  to erase one that is cancelled or whose workshop has started. Nobody creates
  registrations here: they come from the public form. The case question,
  accessibility needs and dietary note also need ``view_case_details``: in the
  inspect view, the exports and the correction form.
- mails: ``view_outgoingmail`` or ``change_outgoingmail`` to see them (they hold
  recipients), ``change_outgoingmail`` to retry one. The self-service and feedback
  links in their bodies are hidden from everyone.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import re
import tempfile
import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    label_for_field,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.forms.utils import flatatt
from django.http import FileResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import include, path, reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.views.mixins import Echo, ExcelDateFormatter
from wagtail.log_actions import log
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.templatetags.modeladmin_tags import items_for_result
from wagtail_modeladmin.views import DeleteView, EditView, IndexView, InspectView

from ...admin.actions import (
    CancelRegistrationView,
    MarkAttendedView,
    PromoteRegistrationView,
    RetryMailView,
    UnmarkAttendedView,
    log_title,
)
from ...admin.bulk import BULK_ACTIONS, BulkRegistrationActionView
from ...admin.exports import CSV_BOM, XLSX_CONTENT_TYPE, export_cell, write_xlsx
from ...admin.host_requests import HostRequestStatusView
from ...admin.people import personal_data_menu_item
from ...links import workshop_admin_url
from ...models import (
    HostRequest,
    OutgoingMail,
    Registration,
    workshop_field,
    workshop_page_models,
    workshop_pages,
    workshop_version,
)
from ...models.choices import WorkshopLanguage
from ...models.registration import ROLE_LABELS, normalise_email
from ...permissions import (
    CASE_DETAIL_FIELDS,
    CASE_DETAILS_PERMISSION,
    user_can_see_case_details,
)
from ...services import registration as registration_service
from ...services.mail import redact_secret_links
from ...sites import current_site, in_site, is_multi_site

#: The Django URL namespace of every action view of the package's admin:
#: ``reverse("wagtail_atelier_admin:registration_cancel", args=[pk])``.
ADMIN_URL_NAMESPACE = "wagtail_atelier_admin"


# -- permissions -----------------------------------------------------------------------


class AtelierPermissionHelper(PermissionHelper):
    """Records, not content: nobody creates them here, and seeing any of them needs
    the model's view or change permission (not just any permission on it)."""

    def _has(self, user, action: str) -> bool:
        return self.user_has_specific_permission(user, self.get_perm_codename(action))

    def user_can_list(self, user):
        return self._has(user, "view") or self._has(user, "change")

    def user_can_create(self, user):
        return False

    def user_can_inspect_obj(self, user, obj):
        return self.inspect_view_enabled and self.user_can_list(user)

    def user_can_delete_obj(self, user, obj):
        return self._has(user, "delete") and self.user_can_list(user)


class RegistrationPermissionHelper(AtelierPermissionHelper):
    def user_can_delete_obj(self, user, obj):
        # Deleting an active registration of a coming workshop would free its seat
        # without moving anyone up or telling the person: cancel it first.
        return super().user_can_delete_obj(user, obj) and (
            obj.is_cancelled or workshop_has_started(obj)
        )


class MailPermissionHelper(AtelierPermissionHelper):
    def user_can_edit_obj(self, user, obj):
        return False  # a mail is a record of what was sent; "Retry now" is the action


def workshop_has_started(registration) -> bool:
    start_at = getattr(registration, "workshop_start_at", None)
    if not hasattr(registration, "workshop_start_at"):
        workshop = workshop_version(registration.workshop_key)
        start_at = workshop.start_at if workshop is not None else None
    # A workshop whose pages are all deleted cannot take place any more.
    return start_at is None or start_at <= timezone.now()


# -- buttons ---------------------------------------------------------------------------


class PerRequestURLs:
    """An ``AdminURLHelper`` that reverses each object URL once and then only puts
    the object's id in: a listing page otherwise resolves five or six URL patterns
    per row."""

    _PK = "73519864250137"  # stands for the id while reversing

    def __init__(self, url_helper):
        self._url_helper = url_helper
        self._patterns: dict = {}

    def __getattr__(self, name):
        return getattr(self._url_helper, name)

    def get_action_url(self, action, *args, **kwargs):
        pk = str(args[0]) if len(args) == 1 and not kwargs else ""
        if action in ("create", "choose_parent", "index") or not pk.isalnum():
            return self._url_helper.get_action_url(action, *args, **kwargs)
        return self.fill(action, pk, self._url_helper.get_action_url)

    def fill(self, key, pk: str, reverse_url) -> str:
        """The URL ``reverse_url(key, pk)``, reversed once per ``key``."""
        pattern = self._patterns.get(key)
        if pattern is None:
            url = reverse_url(key, self._PK)
            # If the placeholder could be mistaken for another part, reverse always.
            pattern = self._patterns[key] = url if url.count(self._PK) == 1 else False
        if pattern is False:
            return reverse_url(key, pk)
        return pattern.replace(self._PK, pk)


class ActionButtonHelper(ButtonHelper):
    """The model's buttons plus one per object action the user may run on the object
    in its current state. Each links to the action's confirmation page, which
    returns here afterwards."""

    action_button_classnames = ["button-secondary"]

    def __init__(self, view, request):
        super().__init__(view, request)
        self.url_helper = PerRequestURLs(self.url_helper)

    @cached_property
    def _user_actions(self) -> list:
        """The object actions this user may run: (name, view class, label, the
        ``next`` query), worked out once per request rather than once per row."""
        user = self.request.user
        back = urlencode({"next": self.request.get_full_path()})
        return [
            (action, view_class, str(view_class.action_label), back)
            for action, view_class in self.view.model_admin.object_actions.items()
            if view_class.user_can(user)
        ]

    def get_buttons_for_obj(
        self, obj, exclude=None, classnames_add=None, classnames_exclude=None
    ):
        buttons = super().get_buttons_for_obj(
            obj, exclude, classnames_add, classnames_exclude
        )
        model_admin = self.view.model_admin
        classname = self.finalise_classname(
            self.action_button_classnames + (classnames_add or []),
            classnames_exclude,
        )
        for action, view_class, label, back in self._user_actions:
            if (exclude and action in exclude) or not view_class.is_available(obj):
                continue
            url = self.url_helper.fill(
                action, str(obj.pk), model_admin.get_object_action_url
            )
            buttons.append(
                {
                    "url": f"{url}?{back}",
                    "label": label,
                    "classname": classname,
                    "title": label,
                }
            )
        return buttons


# Wagtail's own dropdown ("⋯" more button) as the installed Wagtail renders it, with
# placeholders filled in per row: one template render per listing, not per row.
_LABEL_SLOT = "@@atelier-dropdown-label@@"
_ITEMS_SLOT = "@@atelier-dropdown-items@@"
_DROPDOWN_TEMPLATE = (
    "{% load wagtailadmin_tags %}"
    '{% dropdown classname="atelier-row-actions" toggle_icon="dots-horizontal" '
    'toggle_aria_label="' + _LABEL_SLOT + '" '
    'toggle_classname="atelier-row-actions__toggle" %}'
    + _ITEMS_SLOT
    + "{% enddropdown %}"
)


def dropdown_shell() -> str:
    html = engines["django"].from_string(_DROPDOWN_TEMPLATE).render({})
    # One line per row in the page source, not thirty.
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def render_dropdown(shell: str, label: str, buttons: list[dict]) -> SafeString:
    """The row's buttons as the items of Wagtail's dropdown: links, without the
    classes that make them look like buttons (a delete link keeps its warning)."""
    items = format_html_join(
        "",
        '<a href="{}" class="{}">{}</a>',
        (
            (
                button["url"],
                "atelier-row-action atelier-row-action--danger"
                if "no" in button.get("classname", "").split()
                else "atelier-row-action",
                button.get("label", ""),
            )
            for button in buttons
            if button.get("url")
        ),
    )
    return mark_safe(  # noqa: S308 (label escaped here, items by format_html)
        shell.replace(_LABEL_SLOT, escape(label)).replace(_ITEMS_SLOT, items)
    )


# -- views -----------------------------------------------------------------------------


class NeutralLogEditView(EditView):
    """The stock edit view, logging the object under a neutral title."""

    def form_valid(self, form):
        with transaction.atomic():
            self.instance = form.save()
            log(
                instance=self.instance,
                action="wagtail.edit",
                user=self.request.user,
                title=log_title(self.instance),
                content_changed=form.has_changed(),
            )
        messages.success(
            self.request,
            self.get_success_message(self.instance),
            buttons=self.get_success_message_buttons(self.instance),
        )
        return redirect(self.get_success_url())


class NeutralLogDeleteView(DeleteView):
    """The stock delete view, logging the deletion under a neutral title: after an
    erasure, no name remains in the audit log."""

    def post(self, request, *args, **kwargs):
        message = _("%(model_name)s '%(object)s' deleted.") % {
            "model_name": capfirst(self.verbose_name),
            "object": self.instance,
        }
        with transaction.atomic():
            log(
                instance=self.instance,
                action="wagtail.delete",
                user=request.user,
                title=log_title(self.instance),
            )
            self.instance.delete()
        messages.success(request, message)
        return redirect(self.index_url)


class ExportIndexView(IndexView):
    """The stock index, made to stay fast with thousands of records: the filters and
    search are worked out once per request, the rows rendered in one pass, and the
    exports read the rows in chunks (a streamed CSV, a write-only XLSX) instead of
    loading them all. Exports have translated labels instead of codes, local times,
    empty cells for empty values, and no formula injection from what registrants
    typed."""

    #: Rows read from the database at a time by the exports (and written to the CSV
    #: stream at a time): the export's memory does not grow with the rows.
    export_chunk_size = 500

    #: The query parameter of the rows ticked in the listing (``?id=1&id=2``): an
    #: export of the selection. ``next`` comes with it from the selection's form.
    SELECTION_VAR = "id"
    SELECTION_IGNORED_PARAMS = (SELECTION_VAR, "next")

    #: Whether the rows have checkboxes (the selection's export and bulk actions).
    bulk_selection = False

    # -- the listing -------------------------------------------------------------------

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        for name in self.SELECTION_IGNORED_PARAMS:
            lookup_params.pop(name, None)
        return lookup_params

    def get_queryset(self, request=None):
        # The stock view builds the filters (with their choices' queries) and the
        # search once in dispatch() and again in get_context_data().
        if getattr(self, "_filtered_queryset", None) is None:
            queryset = super().get_queryset(request)
            selection = self.selected_ids()
            if selection is not None:
                queryset = queryset.filter(pk__in=selection)
            self._filtered_queryset = queryset
        return self._filtered_queryset.all()

    def selected_ids(self) -> list[int] | None:
        """The ids of ``?id=``, or None when the request selects no rows."""
        values = self.request.GET.getlist(self.SELECTION_VAR)
        if not values:
            return None
        return [int(value) for value in values if value.isdigit()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        headers = list(result_headers(self))
        context["result_headers"] = headers
        context["num_sorted_fields"] = sum(
            1 for header in headers if header["sortable"] and header["sorted"]
        )
        context["result_rows"] = self.render_rows(context["object_list"], context)
        context["filter_groups"], context["active_filters"] = self.filter_groups()
        context["bulk_selection"] = self.bulk_selection
        return context

    def filter_groups(self) -> tuple[list[dict], list[dict]]:
        """The filters for the panel above the table (each with its choices), and
        the active ones for the pills (each with the URL that removes it)."""
        groups, active = [], []
        if not self.has_filters:
            return groups, active
        for spec in self.filter_specs:
            if not spec.has_output():
                continue
            choices = list(spec.choices(self))
            title = capfirst(str(spec.title))
            groups.append({"title": title, "choices": choices})
            # The first choice is "All", selected when the filter is not used.
            if choices and not choices[0]["selected"]:
                for choice in choices[1:]:
                    if choice["selected"]:
                        active.append(
                            {
                                "title": title,
                                "value": choice["display"],
                                "remove_url": choices[0]["query_string"],
                            }
                        )
        return groups, active

    def render_rows(self, objects, context) -> list[SafeString]:
        """The ``<tr>`` of each object, as the stock ``result_list`` tag renders them
        (cells by ``items_for_result``, the buttons in the first column), without
        the three template tags and the include per button of every row."""
        request = self.request
        buttons_column = self.model_admin.get_list_display_add_buttons(request)
        shell = dropdown_shell()
        actions_label = _("Actions for %(name)s")
        select_label = _("Select %(name)s")
        rows = []
        for index, obj in enumerate(objects):
            attrs = self.model_admin.get_extra_attrs_for_row(obj, context)
            attrs["data-object-pk"] = obj.pk
            parity = "odd" if index % 2 == 0 else "even"
            attrs["class"] = (
                f"{attrs['class']} {parity}" if "class" in attrs else parity
            )
            cells = []
            name_of_obj = str(obj)
            if self.bulk_selection:
                cells.append(
                    format_html(
                        '<td class="atelier-select"><input type="checkbox" name="{}" '
                        'value="{}" aria-label="{}" data-atelier-select></td>',
                        self.SELECTION_VAR,
                        obj.pk,
                        select_label % {"name": name_of_obj},
                    )
                )
            buttons = self.get_buttons_for_obj(obj)
            for name, cell in zip(
                self.list_display, items_for_result(self, obj, request), strict=True
            ):
                if name == buttons_column and buttons:
                    # Wagtail's "⋯" dropdown, inside the cell before its </td>: the
                    # row's actions take one small button, whatever their number.
                    dropdown = render_dropdown(
                        shell, actions_label % {"name": name_of_obj}, buttons
                    )
                    cell = mark_safe(  # noqa: S308 (escaped by format_html)
                        f"{cell[:-5]}{dropdown}{cell[-5:]}"
                    )
                cells.append(cell)
            rows.append(
                format_html("<tr{}>{}</tr>", flatatt(attrs), mark_safe("".join(cells)))  # noqa: S308
            )
        return rows

    # -- the exports -------------------------------------------------------------------

    def export_columns(self) -> list:
        """For each name in ``list_export``, a function of the object that gives its
        value as :meth:`to_row_dict` writes it: the field, method or attribute is
        looked up once, and the choices' labels translated once, in the language
        active when this is called."""
        yes, no = _("yes"), _("no")
        columns = []
        for name in self.list_export:
            getter = self._value_getter(name)

            def column(obj, getter=getter):
                value = getter(obj)
                if value is None:
                    return ""
                if value is True or value is False:
                    return yes if value else no
                if isinstance(value, datetime.datetime):
                    # Naive local time, to the second: what the coordinator expects
                    # to read in a spreadsheet (XLSX would otherwise get UTC).
                    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
                return value

            columns.append(column)
        return columns

    def _value_getter(self, name):
        """A function of the object that returns what ``lookup_field(name, obj,
        model_admin)`` gives as the value, a choice's label instead of its code."""
        try:
            field = _get_non_gfk_field(self.opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            pass
        else:
            if field.choices:
                labels = {code: str(label) for code, label in field.flatchoices}

                def choice(obj):
                    value = getattr(obj, name)
                    return labels.get(value, value)

                return choice
            return lambda obj: getattr(obj, name)
        if hasattr(self.model_admin, name) and name != "__str__":
            return getattr(self.model_admin, name)

        def attribute(obj):
            value = getattr(obj, name)
            return value() if callable(value) else value

        return attribute

    def to_row_dict(self, item):
        columns = getattr(self, "_export_columns", None)
        if columns is None:
            columns = self._export_columns = self.export_columns()
        return {
            name: column(item)
            for name, column in zip(self.list_export, columns, strict=True)
        }

    def export_rows(self, queryset, export_format):
        """The rows of ``queryset`` as lists of the cells an export writes, read
        ``export_chunk_size`` rows at a time."""
        columns = self.export_columns()
        names = list(self.list_export)
        xlsx = export_format != self.FORMAT_CSV
        custom = self.custom_field_preprocess
        preprocess = self.preprocess_field_value
        for item in queryset.iterator(chunk_size=self.export_chunk_size):
            row = []
            for name, column in zip(names, columns, strict=True):
                value = column(item)
                if type(value) is str and name not in custom:
                    # What preprocess_field_value does to text, without looking up
                    # a function per cell.
                    value = export_cell(value, xlsx=xlsx)
                else:
                    value = preprocess(name, value, export_format)
                row.append(value)
            yield row

    def stream_csv(self, queryset):
        """The CSV's lines, ``export_chunk_size`` rows at a time, for the streaming
        response."""
        # The lines are produced after the view returned, outside the admin user's
        # language and time zone: produce each chunk inside them (and leave them
        # while the server sends it).
        language = translation.get_language()
        time_zone = timezone.get_current_timezone()
        writer = csv.writer(Echo())
        # The BOM first: Excel reads the CSV as UTF-8 then (umlauts, accents).
        heading = CSV_BOM + writer.writerow(
            [self.get_heading(queryset, name) for name in self.list_export]
        )

        def lines():
            yield heading
            rows = self.export_rows(queryset, self.FORMAT_CSV)
            while True:
                with translation.override(language), timezone.override(time_zone):
                    chunk = [
                        writer.writerow(row)
                        for row in itertools.islice(rows, self.export_chunk_size)
                    ]
                if not chunk:
                    return
                yield b"".join(chunk)

        return lines()

    def write_xlsx(self, queryset, output):
        write_xlsx(
            output,
            [self.get_heading(queryset, name) for name in self.list_export],
            self.export_rows(queryset, self.FORMAT_XLSX),
            date_format=ExcelDateFormatter().get(),
            # What the rows are ("Registrations"), not "Sheet1".
            title=capfirst(str(self.verbose_name_plural)),
        )

    def write_xlsx_response(self, queryset):
        # On disk, not in memory: the workbook of 20,000 registrations.
        output = tempfile.TemporaryFile()
        self.write_xlsx(queryset, output)
        output.seek(0)
        return FileResponse(
            output,
            as_attachment=True,
            content_type=XLSX_CONTENT_TYPE,
            filename=f"{self.get_filename()}.xlsx",
        )

    def get_heading(self, queryset, field):
        # The stock heading title-cases every word ("Caring Community Or ...").
        return capfirst(
            str(label_for_field(field, model=self.model, model_admin=self.model_admin))
        )

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return export_cell(value, xlsx=export_format != self.FORMAT_CSV)


class RegistrationIndexView(ExportIndexView):
    """The registrations: checkboxes for the bulk actions and the selection's
    export, and the seats of the workshop when the listing shows one."""

    bulk_selection = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["bulk_url"] = reverse(
            f"{ADMIN_URL_NAMESPACE}:"
            + self.model_admin.get_object_action_url_name("bulk")
        )
        context["bulk_actions"] = (
            list(BULK_ACTIONS.values())
            if BulkRegistrationActionView.user_can(user)
            else []
        )
        context["seats_summary"] = self.seats_summary()
        return context

    def seats_summary(self) -> dict | None:
        """Confirmed places against capacity and the waiting list per role, when
        the listing is filtered to one workshop (two queries, whatever the rows)."""
        value = self.params.get(WorkshopListFilter.parameter_name)
        if not value:
            return None
        try:
            key = uuid.UUID(value)
        except ValueError:
            return None
        workshop = workshop_version(key)
        if workshop is None:
            return None
        roles = list(registration_service.seats(workshop).values())
        return {
            "title": workshop.title,
            # Writing to the workshop's people starts from their list.
            "messages_url": workshop_admin_url("messages", workshop),
            "start_at": timezone.localtime(workshop.start_at),
            "roles": roles,
            "waiting": sum(role.waiting for role in roles),
        }


class RegistrationInspectView(InspectView):
    def get_fields_dict(self):
        registration = self.instance
        workshop = workshop_version(registration.workshop_key)
        if workshop is None:
            workshop_label = _("(workshop deleted)")
        else:
            start = timezone.localtime(workshop.start_at)
            workshop_label = f"{workshop.title} ({start:%d.%m.%Y})"
        fields = [{"label": capfirst(_("workshop")), "value": workshop_label}]
        hidden = (
            () if user_can_see_case_details(self.request.user) else CASE_DETAIL_FIELDS
        )
        for name in self.model_admin.get_inspect_view_fields():
            if name in hidden:
                continue
            fields.append(self.get_dict_for_field(name))
            if name == "status" and registration.is_waiting:
                fields.append(
                    {
                        "label": _("Position on the waiting list"),
                        "value": registration.waiting_position(),
                    }
                )
        return fields

    def get_field_display_value(self, field_name, field=None):
        if field_name == "languages":
            return self.instance.languages_display() or "-"
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value


class MailInspectView(InspectView):
    """A stored mail, with its self-service and feedback links hidden: seeing the
    mails must not give the key to anyone's registration or feedback."""

    redacted_fields = ("subject", "body_text", "body_html")

    def get_field_display_value(self, field_name, field=None):
        value = super().get_field_display_value(field_name, field)
        if field_name in self.redacted_fields and isinstance(value, str):
            return redact_secret_links(value)
        return value


# -- the model admins ------------------------------------------------------------------


class ActionsModelAdmin(ModelAdmin):
    """A ModelAdmin with object actions (``object_actions``: URL name → view class),
    served under :data:`ADMIN_URL_NAMESPACE`, and whose object views check the list
    permission before they look the object up (so that ids cannot be probed)."""

    object_actions: dict = {}
    index_view_class = ExportIndexView
    edit_view_class = NeutralLogEditView
    delete_view_class = NeutralLogDeleteView

    def get_object_action_url_name(self, action: str) -> str:
        return f"{self.opts.model_name}_{action}"

    def get_object_action_url(self, action: str, pk) -> str:
        name = self.get_object_action_url_name(action)
        return reverse(f"{ADMIN_URL_NAMESPACE}:{name}", args=[quote(pk)])

    #: A view on a selection of objects (``?id=1&id=2``), served at ``<base>/bulk/``
    #: under :data:`ADMIN_URL_NAMESPACE` as ``<model_name>_bulk``.
    bulk_view_class = None

    def get_object_action_urls(self) -> list:
        base = self.url_helper.base_url_path
        index_url_name = self.url_helper.get_action_url_name("index")
        urls = [
            path(
                f"{base}/{action}/<int:pk>/",
                view_class.as_view(
                    index_url_name=index_url_name, index_label=self.get_menu_label()
                ),
                name=self.get_object_action_url_name(action),
            )
            for action, view_class in self.object_actions.items()
        ]
        if self.bulk_view_class is not None:
            urls.append(
                path(
                    f"{base}/bulk/",
                    self.bulk_view_class.as_view(
                        index_url_name=index_url_name,
                        index_label=self.get_menu_label(),
                    ),
                    name=self.get_object_action_url_name("bulk"),
                )
            )
        return urls

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration()
        if self.parent is None and self.object_actions:
            # Registered on its own; in a group, the group includes them.
            urls += (action_urls_include(self.get_object_action_urls()),)
        return urls

    def get_index_template(self):
        # The listing whose rows the view renders (ExportIndexView.render_rows),
        # unless a site overrides this model's or app's listing template.
        if self.index_template_name:
            return self.index_template_name
        *overrides, stock = self.get_templates("index")
        return [*overrides, "wagtail_atelier/admin/modeladmin_index.html", stock]

    def register_indexing(self):
        # Registrations and mails are data, not content: keep them out of the
        # reference index, so that a page's "Usage" does not list people and saving
        # a registration costs no extra queries.
        pass

    def _check_list_permission(self, request):
        if not self.permission_helper.user_can_list(request.user):
            raise PermissionDenied

    def inspect_view(self, request, instance_pk):
        self._check_list_permission(request)
        return super().inspect_view(request, instance_pk)

    def edit_view(self, request, instance_pk):
        self._check_list_permission(request)
        return super().edit_view(request, instance_pk)

    def delete_view(self, request, instance_pk):
        self._check_list_permission(request)
        return super().delete_view(request, instance_pk)

    def history_view(self, request, instance_pk):
        # The stock history view checks no permission at all.
        self._check_list_permission(request)
        return super().history_view(request, instance_pk)


def action_urls_include(urlpatterns: list):
    return path("", include((urlpatterns, ADMIN_URL_NAMESPACE)))


class SiteListFilter(SimpleListFilter):
    """On an installation with several sites, the records of the admin's current
    site (``Site.find_for_request``) by default; "All sites" or another site on
    request (``?site=all``, ``?site=<id>``). Not shown, and no filtering, on an
    installation with one site."""

    title = gettext_lazy("site")
    parameter_name = "site"
    ALL = "all"

    def __init__(self, request, params, model, model_admin):
        self.request = request
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        from wagtail.models import Site

        if not is_multi_site():
            return []  # not shown: no query for its choices
        sites = [
            (str(site.pk), site.site_name or site.hostname)
            for site in Site.objects.order_by("site_name", "hostname", "pk")
        ]
        return [(self.ALL, _("All sites")), *sites]

    def has_output(self):
        return is_multi_site()

    def chosen_site(self):
        return listing_site(self.request)

    def queryset(self, request, queryset):
        if not is_multi_site() or self.value() == self.ALL:
            return queryset
        site = self.chosen_site()
        if site is None:
            return queryset.none()
        return self.for_site(queryset, site)

    def for_site(self, queryset, site):
        raise NotImplementedError

    def choices(self, changelist):
        current = current_site(self.request)
        current_name = (current.site_name or current.hostname) if current else ""
        # First the default, as the panel's "All" choice of the other filters.
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Current site (%(site)s)") % {"site": current_name},
        }
        for lookup, title in self.lookup_choices:
            if current is not None and lookup == str(current.pk):
                continue
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }


def listing_site(request):
    """The site a listing is narrowed to (``?site=``): the current site by default,
    None for all sites (or an installation with one site)."""
    from wagtail.models import Site

    if not is_multi_site():
        return None
    value = request.GET.get(SiteListFilter.parameter_name)
    if value == SiteListFilter.ALL:
        return None
    if value:
        # Never an error page for a hand-made value (too large for the database too).
        if not value.isdigit() or len(value) > 9:
            return None
        return Site.objects.filter(pk=int(value)).first()
    return current_site(request)


def workshop_of_site(site) -> Q:
    """A condition on ``workshop_key``: a workshop that is a page of ``site``."""
    condition = Q()
    for model in workshop_page_models():
        condition |= Q(
            workshop_key__in=model.objects.filter(in_site(site)).values(
                "translation_key"
            )
        )
    return condition


def registrations_of_site(queryset, site):
    """The registrations whose workshop is a page of ``site``."""
    return queryset.filter(workshop_of_site(site))


class RegistrationSiteListFilter(SiteListFilter):
    def for_site(self, queryset, site):
        return registrations_of_site(queryset, site)


class HostRequestSiteListFilter(SiteListFilter):
    """Host requests by the site whose form they were sent from."""

    def for_site(self, queryset, site):
        return queryset.filter(site=site)


class OutgoingMailSiteListFilter(SiteListFilter):
    """Mails about a workshop of the site or a host request sent from it. The few
    tied to neither (none of the package's own) are listed on every site, so that
    a failed mail is never hidden behind the site filter."""

    def for_site(self, queryset, site):
        return queryset.filter(
            workshop_of_site(site)
            | Q(host_request__site=site)
            | Q(workshop_key__isnull=True, host_request__isnull=True)
        )


class WorkshopListFilter(SimpleListFilter):
    title = gettext_lazy("workshop")
    parameter_name = "workshop_key"

    def lookups(self, request, model_admin):
        # order_by(): the default ordering would make DISTINCT return every row.
        keys = set(
            Registration.objects.order_by()
            .values_list("workshop_key", flat=True)
            .distinct()
        )
        titles: dict = {}
        # Only the workshops of the site the listing shows (SiteListFilter).
        site = listing_site(request)

        def query(pages):
            pages = pages.filter(translation_key__in=keys)
            return pages.filter(in_site(site)) if site is not None else pages

        pages = (
            workshop_pages(query)
            .order_by("-workshop_start_at", "pk")
            .values_list("translation_key", "title", "workshop_start_at")
        )
        for key, title, start_at in pages:
            titles.setdefault(key, f"{start_at:%Y-%m-%d} {title}")
        return [(str(key), label) for key, label in titles.items()]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            return queryset.filter(workshop_key=uuid.UUID(value))
        except ValueError:
            return queryset.none()


def workshop_subquery(field: str):
    return workshop_field(field, outer_ref="workshop_key")


class RegistrationCorrectionForm(WagtailAdminModelForm):
    """Staff correct typos; role, status and workshop change only through the
    actions, consent only through the person."""

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        registration = self.instance
        if (
            not registration.is_cancelled
            and Registration.objects.active()
            .filter(workshop_key=registration.workshop_key, email__iexact=email)
            .exclude(pk=registration.pk)
            .exists()
        ):
            raise forms.ValidationError(
                _("Someone is already registered for this workshop with this address.")
            )
        return email


class RegistrationAdmin(ActionsModelAdmin):
    model = Registration
    menu_label = gettext_lazy("Registrations")
    menu_icon = "group"
    menu_order = 100
    permission_helper_class = RegistrationPermissionHelper
    button_helper_class = ActionButtonHelper
    index_view_class = RegistrationIndexView
    inspect_view_class = RegistrationInspectView
    bulk_view_class = BulkRegistrationActionView
    object_actions = {
        "promote": PromoteRegistrationView,
        "cancel": CancelRegistrationView,
        "attended": MarkAttendedView,
        "not_attended": UnmarkAttendedView,
    }
    # What a coordinator scans a list for; the rest is in the inspect view and the
    # exports. Attendance shows with the status.
    list_display = (
        "full_name",
        "workshop_title",
        "role_display",
        "status_display",
        "registered_on",
    )
    list_filter = (
        RegistrationSiteListFilter,
        WorkshopListFilter,
        "role",
        "status",
        "language",
    )
    search_fields = ("first_name", "last_name", "email", "organisation", "town")
    inspect_view_enabled = True
    inspect_view_fields = (
        "role",
        "status",
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation",
        "town",
        "canton",
        "languages",
        "case_description",
        "accessibility_needs",
        "dietary_note",
        "share_contact",
        "language",
        "privacy_consent_at",
        "privacy_notice_version",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "attended_at",
    )
    list_export = (
        "workshop_title",
        "role",
        "status",
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation",
        "town",
        "canton",
        "languages_display",
        "case_description",
        "accessibility_needs",
        "dietary_note",
        "share_contact",
        "language",
        "created_at",
        "attended_at",
    )
    export_filename = "registrations"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("first_name"), FieldPanel("last_name")]),
            FieldPanel("email"),
            FieldPanel("phone"),
            FieldPanel("organisation"),
            FieldRowPanel([FieldPanel("town"), FieldPanel("canton")]),
            # Left out of the form (not only hidden) without the case permission.
            FieldPanel("accessibility_needs", permission=CASE_DETAILS_PERMISSION),
            FieldPanel("dietary_note", permission=CASE_DETAILS_PERMISSION),
        ],
        base_form_class=RegistrationCorrectionForm,
    )

    def get_list_export(self, request):
        if user_can_see_case_details(request.user):
            return self.list_export
        return tuple(
            name for name in self.list_export if name not in CASE_DETAIL_FIELDS
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                workshop_title=workshop_subquery("title"),
                workshop_start_at=workshop_subquery("start_at"),
            )
        )

    def workshop_title(self, obj):
        """The workshop's title and date: a network holds the same title yearly."""
        title = getattr(obj, "workshop_title", "") or ""
        start_at = getattr(obj, "workshop_start_at", None)
        if start_at is None:
            return title
        return f"{title} ({timezone.localtime(start_at):%d.%m.%Y})"

    workshop_title.short_description = gettext_lazy("workshop")  # type: ignore[attr-defined]
    workshop_title.admin_order_field = "workshop_start_at"  # type: ignore[attr-defined]

    def full_name(self, obj):
        return obj.full_name

    full_name.short_description = gettext_lazy("name")  # type: ignore[attr-defined]
    full_name.admin_order_field = "last_name"  # type: ignore[attr-defined]

    def role_display(self, obj):
        # The short label: the form's "I take part in the discussions" is too long
        # for a column.
        return capfirst(str(ROLE_LABELS.get(obj.role, obj.role)))

    role_display.short_description = gettext_lazy("role")  # type: ignore[attr-defined]
    role_display.admin_order_field = "role"  # type: ignore[attr-defined]

    def status_display(self, obj):
        label = obj.get_status_display()
        if obj.attended_at is None:
            return label
        return format_html(
            '{} <span class="atelier-tag">{}</span>', label, _("attended")
        )

    status_display.short_description = gettext_lazy("status")  # type: ignore[attr-defined]
    status_display.admin_order_field = "status"  # type: ignore[attr-defined]

    def registered_on(self, obj):
        if obj.created_at is None:
            return ""
        return f"{timezone.localtime(obj.created_at):%d.%m.%Y}"

    registered_on.short_description = gettext_lazy("registered on")  # type: ignore[attr-defined]
    registered_on.admin_order_field = "created_at"  # type: ignore[attr-defined]

    def attended(self, obj):
        return obj.attended_at is not None

    attended.short_description = gettext_lazy("attended")  # type: ignore[attr-defined]
    attended.boolean = True  # type: ignore[attr-defined]

    def languages_display(self, obj):
        return obj.languages_display()

    languages_display.short_description = Registration._meta.get_field(  # type: ignore[attr-defined]
        "languages"
    ).verbose_name


class OutgoingMailAdmin(ActionsModelAdmin):
    model = OutgoingMail
    menu_label = gettext_lazy("Mails")
    menu_icon = "mail"
    menu_order = 900
    permission_helper_class = MailPermissionHelper
    button_helper_class = ActionButtonHelper
    inspect_view_class = MailInspectView
    object_actions = {"retry": RetryMailView}
    list_display = (
        "subject",
        "kind",
        "status",
        "attempts",
        "error_summary",
        "created_at",
        "sent_at",
    )
    list_filter = (OutgoingMailSiteListFilter, "status", "kind", "language")
    search_fields = ("subject",)
    inspect_view_enabled = True

    def error_summary(self, obj):
        error = obj.last_error
        return error if len(error) <= 80 else error[:79] + "…"

    error_summary.short_description = gettext_lazy("last error")  # type: ignore[attr-defined]

    inspect_view_fields = (
        "kind",
        "status",
        "to",
        "language",
        "subject",
        "body_text",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )


# -- host requests ---------------------------------------------------------------------


class WorkshopLanguageListFilter(SimpleListFilter):
    """Requests that would take a workshop in this language (one of those asked)."""

    title = gettext_lazy("language of the workshop")
    parameter_name = "workshop_language"

    def lookups(self, request, model_admin):
        return WorkshopLanguage.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value not in WorkshopLanguage.values:
            return queryset
        # The JSON list as text holds '"de"': a lookup every database supports.
        return queryset.filter(languages__icontains=f'"{value}"')


class HostRequestEditForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "coordinator" in self.fields:
            field = self.fields["coordinator"]
            field.queryset = field.queryset.filter(is_active=True)


class HostRequestInspectView(InspectView):
    """The request, then its history: every status change with who, when and the
    note."""

    def get_field_display_value(self, field_name, field=None):
        if field_name == "languages":
            return self.instance.languages_display() or "-"
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
        return value

    def get_context_data(self, **kwargs):
        from wagtail.log_actions import registry as log_registry

        context = super().get_context_data(**kwargs)
        context["log_entries"] = (
            log_registry.get_logs_for_instance(self.instance)
            .select_related("user")
            .order_by("-timestamp", "-pk")
        )
        return context


class HostRequestAdmin(ActionsModelAdmin):
    """Only users with ``view_hostrequest`` or ``change_hostrequest`` see anything;
    ``change_hostrequest`` moves requests on (status, coordinator, notes)."""

    model = HostRequest
    menu_label = gettext_lazy("Host requests")
    menu_icon = "home"
    menu_order = 150
    permission_helper_class = AtelierPermissionHelper
    button_helper_class = ActionButtonHelper
    inspect_view_class = HostRequestInspectView
    inspect_template_name = "wagtail_atelier/admin/host_request_inspect.html"
    object_actions = {"status": HostRequestStatusView}
    list_display = (
        "organisation",
        "region",
        "canton",
        "status",
        "coordinator",
        "created_at",
    )
    list_filter = (
        HostRequestSiteListFilter,
        "status",
        "canton",
        WorkshopLanguageListFilter,
        "language",
    )
    list_select_related = ("coordinator",)
    search_fields = ("organisation", "contact_name", "email", "region", "message")
    inspect_view_enabled = True
    inspect_view_fields = (
        "status",
        "workshop",
        "coordinator",
        "organisation",
        "contact_name",
        "email",
        "phone",
        "canton",
        "region",
        "preferred_period",
        "languages",
        "format",
        "venue",
        "venue_accessibility",
        "expected_people",
        "message",
        "internal_notes",
        "language",
        "privacy_consent_at",
        "privacy_notice_version",
        "created_at",
        "status_changed_at",
    )
    list_export = (
        "status",
        "organisation",
        "contact_name",
        "email",
        "phone",
        "canton",
        "region",
        "preferred_period",
        "languages_display",
        "format",
        "venue",
        "venue_accessibility",
        "expected_people",
        "message",
        "language",
        "coordinator",
        "created_at",
        "status_changed_at",
    )
    export_filename = "host-requests"
    # Status changes go through the action (allowed transitions, log, mail);
    # the edit form only assigns the coordinator and keeps notes.
    edit_handler = ObjectList(
        [FieldPanel("coordinator"), FieldPanel("internal_notes")],
        base_form_class=HostRequestEditForm,
    )


class AtelierAdminGroup(ModelAdminGroup):
    menu_label = gettext_lazy("Practice workshops")
    menu_icon = "date"
    menu_order = 250
    items = (RegistrationAdmin, HostRequestAdmin, OutgoingMailAdmin)

    def get_submenu_items(self):
        # The access and erasure requests screen sits with the records it answers for.
        items = super().get_submenu_items()
        return [*items, personal_data_menu_item(order=len(items) + 1)]

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration()
        action_urls = []
        for instance in self.modeladmin_instances:
            if isinstance(instance, ActionsModelAdmin):
                action_urls += instance.get_object_action_urls()
        if action_urls:
            urls += (action_urls_include(action_urls),)
        return urls
