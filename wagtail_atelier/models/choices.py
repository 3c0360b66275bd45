"""Stable codes with translated labels, shared by models, forms and filters."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkshopFormat(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class WorkshopLanguage(models.TextChoices):
    """The one language a workshop is held in (not the language of its page)."""

    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    ITALIAN = "it", _("Italian")


def language_names(codes) -> str:
    """ "German, French" for ``["de", "fr"]`` in the active language; an unknown
    code is shown as it is."""
    labels = dict(WorkshopLanguage.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes)


# "(en allemand)" on a French page: a phrase per language, not "in" + a name, because
# French and Italian put the language after a preposition that German does not share.
HELD_IN_LANGUAGE = {
    WorkshopLanguage.GERMAN: pgettext_lazy("workshop held in", "in German"),
    WorkshopLanguage.FRENCH: pgettext_lazy("workshop held in", "in French"),
    WorkshopLanguage.ITALIAN: pgettext_lazy("workshop held in", "in Italian"),
}


class Canton(models.TextChoices):
    """The 26 Swiss cantons, by their official two-letter codes."""

    AG = "AG", _("Aargau")
    AI = "AI", _("Appenzell Innerrhoden")
    AR = "AR", _("Appenzell Ausserrhoden")
    BE = "BE", _("Bern")
    BL = "BL", _("Basel-Landschaft")
    BS = "BS", _("Basel-Stadt")
    FR = "FR", _("Fribourg")
    GE = "GE", _("Geneva")
    GL = "GL", _("Glarus")
    GR = "GR", _("Graubünden")
    JU = "JU", _("Jura")
    LU = "LU", _("Lucerne")
    NE = "NE", _("Neuchâtel")
    NW = "NW", _("Nidwalden")
    OW = "OW", _("Obwalden")
    SG = "SG", _("St. Gallen")
    SH = "SH", _("Schaffhausen")
    SO = "SO", _("Solothurn")
    SZ = "SZ", _("Schwyz")
    TG = "TG", _("Thurgau")
    TI = "TI", _("Ticino")
    UR = "UR", _("Uri")
    VD = "VD", _("Vaud")
    VS = "VS", _("Valais")
    ZG = "ZG", _("Zug")
    ZH = "ZH", _("Zurich")
