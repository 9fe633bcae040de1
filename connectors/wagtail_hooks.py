"""Staff admin (wagtail-modeladmin): habilitations and the call log, each limited to the staff member's
councils. The API token is write-only: it can be replaced, never read back.
"""

from django import forms
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdminGroup, modeladmin_register

from home.admin_scoping import CouncilScopedModelAdmin
from home.privacy import PersonalDataFlow
from home.selectors import councils_for_user

from . import consents_views
from .models import ApiCallLog, Habilitation, LegalBasis, Modality, Scope
from .selectors import habilitations_in_force


class HabilitationAdminForm(WagtailAdminModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Granted scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    modalities = forms.MultipleChoiceField(
        label=_("Modalities"), choices=Modality.choices, widget=forms.CheckboxSelectMultiple
    )
    new_token = forms.CharField(
        label=_("New API token"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Paste the token from your API Particulier account to store it encrypted. It will never be shown "
            "again; leave empty to keep the current one."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if "council" in self.fields and user is not None:
            self.fields["council"].queryset = councils_for_user(user)
        if "token_env_var" in self.fields:
            self.fields["token_env_var"].help_text = _(
                "Name of the environment variable holding the token, instead of storing it here; it must start "
                "with API_PARTICULIER_TOKEN_ (for example API_PARTICULIER_TOKEN_VALMONT)."
            )
        if self.instance.pk:
            self.initial["scopes"] = list(self.instance.scopes or [])
            self.initial["modalities"] = list(self.instance.modalities or [])

    def clean(self):
        data = super().clean()
        if not data.get("new_token") and not data.get("token_env_var") and not self.instance.token_encrypted:
            self.add_error("new_token", _("Enter the token, or the name of the environment variable that holds it."))
        return data

    def save(self, commit=True):
        instance = super().save(commit=False)
        instance.scopes = list(self.cleaned_data["scopes"])
        instance.modalities = list(self.cleaned_data["modalities"])
        if self.cleaned_data.get("new_token"):
            instance.set_token(self.cleaned_data["new_token"])
        if commit:
            instance.save()
        return instance


class HabilitationAdmin(CouncilScopedModelAdmin):
    model = Habilitation
    menu_label = _("Authorisations")
    menu_icon = "key"
    list_display = ("title", "council", "datapass_id", "state", "valid_until", "token_status")
    list_filter = ("state",)
    search_fields = ("title", "datapass_id")
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("council"), FieldPanel("datapass_id"), FieldPanel("title"), FieldPanel("purpose")],
                heading=_("Authorisation"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("legal_basis"),
                    FieldPanel("legal_basis_reference"),
                    FieldPanel("legal_basis_page"),
                    FieldPanel("legal_basis_document"),
                ],
                heading=_("Legal basis"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("recipient_siret"),
                    FieldPanel("scopes"),
                    FieldPanel("modalities"),
                    FieldPanel("retention_months"),
                    FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
                    FieldPanel("state"),
                ],
                heading=_("Scope and validity"),
            ),
            MultiFieldPanel([FieldPanel("new_token"), FieldPanel("token_env_var")], heading=_("API token")),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("business_contact_name"), FieldPanel("business_contact_email")]),
                    FieldRowPanel([FieldPanel("technical_contact_name"), FieldPanel("technical_contact_email")]),
                    FieldRowPanel([FieldPanel("dpo_name"), FieldPanel("dpo_email")]),
                ],
                heading=_("Contacts"),
            ),
        ],
        base_form_class=HabilitationAdminForm,
    )

    def token_status(self, obj: Habilitation) -> str:
        if obj.token_env_var:
            return _("From the environment (%(name)s)") % {"name": obj.token_env_var}
        if obj.token_encrypted and obj.token_updated_at:
            return _("Stored encrypted on %(date)s") % {"date": date_format(obj.token_updated_at, "SHORT_DATE_FORMAT")}
        return _("Missing")

    token_status.short_description = _("Token")


class ReadOnlyPermissionHelper(PermissionHelper):
    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class ApiCallLogAdmin(CouncilScopedModelAdmin):
    model = ApiCallLog
    menu_label = _("Call log")
    menu_icon = "list-ul"
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    list_display = (
        "created_at",
        "council",
        "route",
        "purpose",
        "outcome",
        "code",
        "http_status",
        "latency_ms",
        "request_id",
        "user",
    )
    list_filter = ("outcome", "purpose", "route", "http_status")
    search_fields = ("request_id", "code")
    inspect_view_fields = [
        "created_at", "council", "habilitation", "route", "scopes", "purpose", "outcome", "code", "http_status",
        "latency_ms", "request_id", "user",
    ]  # fmt: skip


class ApiParticulierGroup(ModelAdminGroup):
    menu_label = _("API Particulier")
    menu_icon = "resubmit"
    menu_order = 600
    items = (HabilitationAdmin, ApiCallLogAdmin)


modeladmin_register(ApiParticulierGroup)


@hooks.register("register_admin_urls")
def register_consents_admin_urls():
    return [
        path(
            "consentements/famille/<int:user_id>/",
            consents_views.staff_family_consents,
            name="connectors_staff_family_consents",
        )
    ]


@hooks.register("home_personal_data_flows")
def personal_data_flows(council):
    """One flow per authorisation in force: the council's privacy page follows its authorisations."""
    for habilitation in habilitations_in_force(council=council):
        months = habilitation.retention_months
        yield PersonalDataFlow(
            data=tuple(str(Scope(scope).label) for scope in Scope.values if scope in set(habilitation.scopes or [])),
            source=str(
                _(
                    "The CAF (family allowance fund) or the MSA (agricultural social security), through the "
                    "State's API Particulier (DataPass authorisation %(number)s)"
                )
                % {"number": habilitation.datapass_id}
            ),
            purpose=habilitation.purpose.strip(),
            legal_basis=str(LegalBasis(habilitation.legal_basis).label),
            reference=habilitation.legal_basis_reference,
            retention=ngettext("%(months)s month", "%(months)s months", months) % {"months": months},
            contact=habilitation.dpo_email or council.dpo_email,
        )
