"""Validators of a council's identity (SIRET, INSEE commune code, theme colour) and of its acts (ACTES)."""

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from .communes import commune_by_insee

INSEE_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
HEX_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# RGAA 3.2 / WCAG 1.4.3: normal text needs a 4.5:1 contrast ratio.
MIN_CONTRAST = 4.5


def validate_siret(value: str) -> None:
    try:
        stdnum_siret.validate(value)
    except (stdnum_exceptions.InvalidLength, stdnum_exceptions.InvalidFormat):
        raise ValidationError(_("A SIRET number has exactly 14 digits."), code="invalid_length") from None
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("This SIRET number is not valid (check digit). Copy it again from the INSEE directory."),
            code="invalid",
        ) from None


def validate_insee_code(value: str) -> None:
    if not INSEE_CODE_RE.match(value):
        raise ValidationError(_("An INSEE commune code has 5 characters, e.g. 21231 or 2A004."), code="invalid")


def validate_insee_code_list(value: str) -> None:
    """Comma-separated INSEE codes, each of the official list of communes."""
    codes = [code.strip().upper() for code in (value or "").split(",") if code.strip()]
    wrong = [code for code in codes if not INSEE_CODE_RE.match(code) or commune_by_insee(code) is None]
    if wrong:
        raise ValidationError(
            _("Not INSEE codes of current communes: %(codes)s (5 characters, e.g. 21231 or 2A004)."),
            params={"codes": ", ".join(wrong)},
            code="invalid",
        )


def relative_luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (relative_luminance(hex_colour) + 0.05)


def validate_theme_colour(value: str) -> None:
    if not HEX_COLOUR_RE.match(value):
        raise ValidationError(_("Give the colour as #RRGGBB, e.g. #1d4f91."), code="invalid")
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "White text on this colour has a contrast of %(ratio).1f:1; accessibility rules "
                "require at least 4.5:1. Choose a darker colour."
            ),
            params={"ratio": ratio},
            code="low_contrast",
        )


# The préfecture's acknowledgement (ACTES): département, SIREN, date of the act, internal number, act type,
# e.g. 021-212103907-20220629-DELIB2022-41-DE.
ACTES_ID_RE = re.compile(
    r"^(?P<department>\d{3}|02[AB])-(?P<siren>\d{9})-(?P<date>\d{8})-(?P<number>[A-Za-z0-9_-]{1,30})"
    r"-(?P<type>DE|AR|AI|CC|BF|AU)$"
)
ACTES_CODE_RE = re.compile(r"^[1-9](?:\.\d{1,2}){0,2}$")


def validate_actes_acknowledgement_id(value: str) -> None:
    match = ACTES_ID_RE.match(value)
    if not match:
        raise ValidationError(
            _(
                "This acknowledgement ID does not have the préfecture's format: département-SIREN-date-number-type, "
                "e.g. 021-212103907-20220629-DELIB2022-41-DE."
            ),
            code="invalid",
        )
    if not stdnum_siren.is_valid(match["siren"]):
        raise ValidationError(
            _("The SIREN number %(siren)s in this acknowledgement ID is not valid."),
            params={"siren": match["siren"]},
            code="invalid_siren",
        )
    try:
        datetime.strptime(match["date"], "%Y%m%d")
    except ValueError:
        raise ValidationError(
            _("The date %(date)s in this acknowledgement ID is not a real date (YYYYMMDD)."),
            params={"date": match["date"]},
            code="invalid_date",
        ) from None


def validate_actes_code(value: str) -> None:
    if not ACTES_CODE_RE.match(value):
        raise ValidationError(
            _("An ACTES nomenclature code is a subject number and up to two sub-numbers, e.g. 7.10 or 8.2."),
            code="invalid",
        )
