"""A council's staff from the admin, without a shell: a superuser or the council's administrator adds an
editor, an agent, an agent with health access or a billing officer, who receives by email the link to set a
password (the admin then asks to enrol a second factor); and the "new council" checklist.

A council's administrator is a staff member who works for the council (``home.selectors.councils_for_user``)
and holds Django's ``auth.add_user`` permission (a superuser gives it through a group).
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Site

from connectors.selectors import habilitations_in_force
from home.models import CouncilHomePage
from home.selectors import (
    council_site_url,
    councils_for_user,
    decree_in_force,
    rules_pages_for_council,
    rules_version_in_force,
)
from home.staff import editor_group_ensure

from ..models import CouncilRole, FormPage, StaffRole
from .roles import council_group_ensure

EDITOR = "editor"
ROLE_CHOICES = [(EDITOR, gettext_lazy("Editor (pages and forms)")), *StaffRole.choices]


def councils_administered(*, user):
    """Councils whose staff ``user`` may add: every council for a superuser, else those they work for when
    they hold ``auth.add_user``."""
    if user.is_superuser:
        return CouncilHomePage.objects.all()
    if not user.has_perm("auth.add_user"):
        return CouncilHomePage.objects.none()
    return councils_for_user(user)


def _group_for(*, council, role: str):
    return editor_group_ensure(council) if role == EDITOR else council_group_ensure(council=council, role=role)


def council_staff_add(*, council, email: str, first_name: str, last_name: str, role: str, by) -> tuple[object, bool]:
    """Give ``email`` the ``role`` in ``council`` (the account is created when new) and send the link to set
    a password; returns ``(user, created)``. A family's account (no admin access) is refused."""
    if role not in dict(ROLE_CHOICES):
        raise ValidationError(_("Unknown role."), code="role")
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email.strip()).lower()
    with transaction.atomic():
        user = user_model.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = user_model(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip())
            user.set_unusable_password()
            user.save()
        elif not user.is_superuser and not user.has_perm("wagtailadmin.access_admin"):
            raise ValidationError(
                _("This email is a family's account: staff need an address of their own."), code="family"
            )
        user.groups.add(_group_for(council=council, role=role))
    _send_invitation(user=user, council=council, role=role, created=created, by=by)
    return user, created


def _send_invitation(*, user, council, role: str, created: bool, by) -> None:
    base = council_site_url(council)
    link = base + reverse("otp_setup")
    if created:
        link = base + reverse(
            "wagtailadmin_password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    body = _(
        "Hello,\n\n%(by)s gave you the role “%(role)s” at %(council)s on its portail famille.\n\n"
        "%(step)s\n%(link)s\n\n"
        "The administration then asks you to enrol a second factor: an authenticator app (TOTP) on your phone, "
        "and printable backup codes. Keep them safe.\n"
    ) % {
        "by": by.get_full_name() or by.get_username(),
        "role": dict(ROLE_CHOICES)[role],
        "council": council.official_name,
        "step": _("Choose your password here (the link works once):")
        if created
        else _("Log in to the administration with your usual password:"),
        "link": link,
    }
    send_mail(
        _("Your access to %(council)s's portail famille") % {"council": council.official_name}, body, None, [user.email]
    )


@dataclass(frozen=True)
class CheckItem:
    label: str
    done: bool
    detail: str
    url: str


def council_checklist(*, council) -> list[CheckItem]:
    """What a new council still misses: its site, an authorisation in force, rules with a version in force, a
    tariff decree in force, editors and agents, a published form."""
    sites = Site.objects.filter(root_page=council)
    rules = [page for page in rules_pages_for_council(council=council) if rules_version_in_force(rules_page=page)]
    decree = decree_in_force(council=council)
    roles = CouncilRole.objects.filter(council=council)
    agents = get_user_model().objects.filter(groups__in=roles.values("group_id"), is_active=True).distinct()
    editors = get_user_model().objects.filter(groups__page_permissions__page=council, is_active=True).distinct()
    form_pages = FormPage.objects.live().descendant_of(council)
    habilitations = habilitations_in_force(council=council)
    explore = reverse("wagtailadmin_explore", args=[council.pk])
    staff_url = reverse("forms_council_staff_add", args=[council.pk])
    return [
        CheckItem(
            _("Website"),
            sites.exists(),
            ", ".join(site.hostname for site in sites) or _("No hostname serves this council."),
            reverse("wagtailsites:index"),
        ),
        CheckItem(
            _("API Particulier authorisation"),
            bool(habilitations),
            ", ".join(h.datapass_id for h in habilitations) or _("None in force: families use the manual route."),
            reverse("connectors_habilitation_modeladmin_create"),
        ),
        CheckItem(
            _("Internal rules"),
            bool(rules),
            ", ".join(page.title for page in rules) or _("No rules with a version in force."),
            explore,
        ),
        CheckItem(
            _("Tariff decree"),
            decree is not None,
            decree.title if decree else _("No decree in force: prices cannot be computed."),
            explore,
        ),
        CheckItem(
            _("Editors"),
            editors.exists(),
            ", ".join(u.email or u.get_username() for u in editors) or _("Nobody edits the site yet."),
            staff_url,
        ),
        CheckItem(
            _("Agents"),
            agents.exists(),
            ", ".join(u.email or u.get_username() for u in agents) or _("Nobody handles the dossiers yet."),
            staff_url,
        ),
        CheckItem(
            _("Forms"),
            form_pages.exists(),
            ", ".join(page.title for page in form_pages) or _("No published form."),
            explore,
        ),
    ]


class StaffAddForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), help_text=gettext_lazy("Their professional address."))
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)


def _administered(request, council_id: int):
    return get_object_or_404(councils_administered(user=request.user), pk=council_id)


def councils_index(request):
    """The councils the user administers, each with its checklist and its staff."""
    councils = list(councils_administered(user=request.user).order_by("title"))
    if not councils:
        raise PermissionDenied
    rows = [
        {"council": council, "missing": [c for c in council_checklist(council=council) if not c.done]}
        for council in councils
    ]
    context = {"rows": rows, "page_title": _("Councils: staff and checklist"), "header_icon": "group"}
    return render(request, "forms/desk/councils.html", context)


def council_checklist_view(request, council_id: int):
    council = _administered(request, council_id)
    context = {
        "council": council,
        "items": council_checklist(council=council),
        "page_title": _("%(council)s: checklist") % {"council": council.official_name},
        "header_icon": "tasks",
    }
    return render(request, "forms/desk/council_checklist.html", context)


def council_staff_add_view(request, council_id: int):
    council = _administered(request, council_id)
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, created = council_staff_add(council=council, by=request.user, **data)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            text = (
                _("%(email)s is now %(role)s at %(council)s: the link to choose a password has been sent.")
                if created
                else _("%(email)s is now %(role)s at %(council)s: they have been told by email.")
            )
            messages.success(
                request,
                text
                % {"email": user.email, "role": dict(ROLE_CHOICES)[data["role"]], "council": council.official_name},
            )
            return redirect("forms_council_checklist", council.pk)
    context = {
        "council": council,
        "form": form,
        "page_title": _("%(council)s: add a staff member") % {"council": council.official_name},
        "header_icon": "user",
    }
    return render(request, "forms/desk/council_staff_add.html", context)
