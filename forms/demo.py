"""Demo content of the ``forms`` app, loaded by ``manage.py load_initial_data`` (idempotent).

Per demo council: a "Démarches" page and four forms (dossier famille, inscription enfant, autorisations,
PAI). A form that exists already keeps its steps (an editor may have changed them); its settings are
brought back to the demo's. Per council too: the staff groups of the back-office (agents, agents with
health access, billing), an agent (``agent.<council>``, TOTP and backup codes), and a demo family with a
few dossiers famille in each status.
"""

import datetime
import json

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from connectors.demo import demo_consent
from home.demo import (
    DEMO_PASSWORD_STAFF,
    demo_backup_codes,
    demo_councils,
    ensure_staff_user,
)
from home.selectors import rules_pages_for_council
from home.staff import editor_group_ensure
from home.starter import upsert_page

from .backoffice.roles import council_group_ensure
from .engine.rendering import definition_for
from .engine.roles import (
    BIRTH_DATE,
    CHILD,
    FAMILY_QF,
    FIRST_NAME,
    LAST_NAME,
    PROOF_OF_ADDRESS,
    SERVICES_CHOSEN,
)
from .family.household import Household, HouseholdAccount, HouseholdEvent, HouseholdEventKind, HouseholdGuardian
from .family.household_services import household_sync_submitted
from .family.pricing import dossier_prices_compute
from .family.services import reference_next
from .models import Dossier, DossierEvent, FormIndexPage, FormPage, StaffRole

NO_CONDITION = {"field": "", "operator": "equals", "value": "", "reference_date": None}


def _field(kind: str, key: str, label: str, *, required: bool = True, help_text: str = "", condition=None, **options):
    return {
        "type": kind,
        "value": {
            "label": label,
            "key": key,
            "help_text": help_text,
            "required": required,
            "condition": condition or NO_CONDITION,
            "health": options.pop("health", False),
            **options,
        },
    }


def _info(title: str, body: str, condition=None):
    return {"type": "info", "value": {"label": title, "body": body, "condition": condition or NO_CONDITION}}


def _when(key: str, operator: str = "equals", value: str = "oui"):
    return {"field": key, "operator": operator, "value": value, "reference_date": None}


def _step(title: str, *fields, intro: str = "", condition=None):
    return {
        "type": "step",
        "value": {"title": title, "intro": intro, "condition": condition or NO_CONDITION, "fields": list(fields)},
    }


def _group(key: str, label: str, item_label: str, fields, *, min_items=1, max_items=6, add="", remove="", **options):
    return _field(
        "group",
        key,
        label,
        item_label=item_label,
        min_items=min_items,
        max_items=max_items,
        add_label=add,
        remove_label=remove,
        fields=list(fields),
        **options,
    )


def _guardian_fields(prefix: str, required: bool = True):
    return [
        _field("short_text", f"{prefix}_nom", "Nom", required=required, meaning=LAST_NAME),
        _field("short_text", f"{prefix}_prenom", "Prénom", required=required, meaning=FIRST_NAME),
        _field("phone", f"{prefix}_telephone", "Téléphone", required=required, role="guardian_phone"),
        _field("email", f"{prefix}_courriel", "Adresse électronique", required=False, role="guardian_email"),
    ]


def dossier_famille(rules_page_id: int | None):
    resources = [
        _field(
            "prefill",
            "api_particulier",
            "Récupérer votre quotient familial auprès de la CAF ou de la MSA",
            required=False,
            help_text="Facultatif : vous pouvez aussi joindre un justificatif.",
            mappings=[
                {"source": "qf.valeur", "target": "quotient_familial", "mode": "locked_unless_empty"},
                {"source": "enfants", "target": "enfants", "mode": "editable"},
            ],
        ),
        _field("caf_number", "numero_caf", "Numéro d'allocataire CAF", required=False),
        _field(
            "integer",
            "quotient_familial",
            "Quotient familial",
            required=False,
            min_value=0,
            max_value=10000,
            role=FAMILY_QF,
        ),
        _field(
            "file",
            "justificatif_ressources",
            "Attestation de quotient familial CAF ou avis d'imposition (revenus N-2)",
            required=False,
            help_text="À joindre si votre quotient familial n'a pas pu être récupéré. Sans justificatif, le tarif maximum s'applique.",
        ),
    ]
    steps = [
        _step(
            "Responsables légaux",
            *_guardian_fields("responsable1"),
            _field("yes_no", "second_responsable", "Y a-t-il un second responsable légal ?"),
            _field(
                "short_text",
                "responsable2_nom",
                "Nom du second responsable",
                condition=_when("second_responsable"),
                meaning=LAST_NAME,
            ),
            _field(
                "short_text",
                "responsable2_prenom",
                "Prénom du second responsable",
                condition=_when("second_responsable"),
                meaning=FIRST_NAME,
            ),
            _field(
                "phone",
                "responsable2_telephone",
                "Téléphone du second responsable",
                condition=_when("second_responsable"),
                role="guardian_phone",
            ),
            intro="En cas de garde alternée, chaque parent remplit son propre dossier.",
        ),
        _step(
            "Adresse",
            _field("address", "adresse", "Adresse du foyer", role="household_address"),
            _field(
                "file",
                "justificatif_domicile",
                "Justificatif de domicile de moins de 3 mois",
                expires=True,
                role=PROOF_OF_ADDRESS,
            ),
        ),
        _step("Ressources", *resources),
        _step(
            "Enfants",
            _group(
                "enfants",
                "Enfants du foyer",
                "Enfant",
                [
                    _field("short_text", "prenom", "Prénom", meaning=FIRST_NAME),
                    _field("short_text", "nom", "Nom", meaning=LAST_NAME),
                    _field("date", "date_naissance", "Date de naissance", max_age=18, role=BIRTH_DATE),
                ],
                min_items=1,
                max_items=8,
                add="Ajouter un enfant",
                remove="Retirer cet enfant",
                role="children",
            ),
        ),
    ]
    if rules_page_id:
        steps.append(
            _step(
                "Règlement intérieur",
                _field("rules", "reglement", "Règlement intérieur des services à l'enfance", rules_page=rules_page_id),
            )
        )
    return steps


def _page_link(page_id: int | None, text: str) -> str:
    """A link to another page in an editor's rich text (what the link chooser stores), or the plain text."""
    return f'<a linktype="page" id="{page_id}">{text}</a>' if page_id else text


def inscription_enfant(links: dict[str, int] | None = None):
    links = links or {}
    return [
        _step(
            "L'enfant",
            _field("short_text", "prenom", "Prénom de l'enfant", meaning=FIRST_NAME, role=CHILD),
            _field("short_text", "nom", "Nom de l'enfant", meaning=LAST_NAME),
            _field("date", "date_naissance", "Date de naissance", max_age=17, role=BIRTH_DATE),
            _field(
                "multiple_choice",
                "services",
                "Services souhaités",
                choices=[
                    "Restauration scolaire",
                    "Accueil périscolaire du matin",
                    "Accueil périscolaire du soir",
                    "Accueil de loisirs, journée",
                ],
                help_text="Les tarifs de chaque service, calculés avec votre quotient familial, sont affichés avant l'envoi.",
                role=SERVICES_CHOSEN,
            ),
            _field(
                "single_choice",
                "regime",
                "Repas",
                choices=["Standard", "Sans porc", "Sans viande"],
                display="list",
                required=False,
            ),
        ),
        _step(
            "Santé",
            _field("short_text", "medecin_nom", "Médecin traitant"),
            _field("phone", "medecin_telephone", "Téléphone du médecin"),
            _field("file", "vaccinations", "Pages vaccinations du carnet de santé", health=True, role="vaccinations"),
            _field("yes_no", "a_pai", "L'enfant a-t-il un projet d'accueil individualisé (PAI) ?"),
            _info(
                "Projet d'accueil individualisé",
                "<p>Le PAI est établi avec le médecin scolaire. Remplissez aussi la démarche "
                f"« {_page_link(links.get('pai'), 'Projet d’accueil individualisé (PAI)')} » du portail.</p>",
                condition=_when("a_pai"),
            ),
            _field(
                "long_text",
                "pai_resume",
                "Allergies ou troubles de santé concernés",
                condition=_when("a_pai"),
                health=True,
            ),
        ),
        _step(
            "Assurance",
            _field("short_text", "assureur", "Compagnie d'assurance (responsabilité civile extrascolaire)"),
            _field("short_text", "numero_contrat", "Numéro de contrat"),
            _field("file", "attestation_assurance", "Attestation d'assurance", role="insurance_certificate"),
        ),
    ]


def autorisations():
    return [
        _step(
            "L'enfant",
            _field("short_text", "prenom", "Prénom de l'enfant", meaning=FIRST_NAME, role=CHILD),
            _field("date", "date_naissance", "Date de naissance", max_age=17, role=BIRTH_DATE),
        ),
        _step(
            "Sorties",
            _field(
                "yes_no",
                "rentre_seul",
                "J'autorise mon enfant à rentrer seul après l'accueil",
                condition={**_when("date_naissance", "age_at_least", "8")},
                help_text="Possible à partir de 8 ans.",
            ),
            _group(
                "personnes_autorisees",
                "Personnes autorisées à venir chercher l'enfant",
                "Personne",
                [
                    _field("short_text", "nom", "Nom et prénom"),
                    _field("short_text", "lien", "Lien avec l'enfant"),
                    _field("phone", "telephone", "Téléphone"),
                ],
                min_items=0,
                max_items=6,
                add="Ajouter une personne",
                remove="Retirer cette personne",
                required=False,
            ),
            _field("yes_no", "sorties", "J'autorise les sorties et les transports organisés par le service"),
        ),
        _step(
            "Droit à l'image et soins",
            _field(
                "single_choice",
                "droit_image",
                "Photos et vidéos de mon enfant",
                choices=[
                    "J'autorise leur diffusion dans les publications de la commune",
                    "J'autorise un usage interne seulement",
                    "Je n'autorise pas",
                ],
            ),
            _field(
                "consent",
                "soins_urgence",
                "J'autorise le responsable à faire appeler les secours et à faire soigner mon enfant en cas d'urgence",
            ),
        ),
    ]


def pai():
    return [
        _step(
            "L'enfant et le protocole",
            _field("short_text", "prenom", "Prénom de l'enfant", meaning=FIRST_NAME, role="child"),
            _field("short_text", "nom", "Nom de l'enfant", meaning=LAST_NAME),
            _field("file", "protocole", "Protocole signé par le médecin", health=True),
        ),
        _step(
            "Allergies et régime",
            _field("long_text", "allergies", "Allergies et conduite à tenir", health=True),
            _field(
                "single_choice",
                "repas",
                "Repas",
                choices=["Panier-repas fourni par la famille", "Repas adapté par la cuisine", "Aucune adaptation"],
                health=True,
            ),
        ),
        _step(
            "Contact d'urgence",
            _field("short_text", "urgence_nom", "Nom et prénom"),
            _field("phone", "urgence_telephone", "Téléphone"),
        ),
    ]


FORMS = [
    ("dossier-famille", "Dossier famille", "DF", False, "Le dossier unique de votre foyer, à renouveler chaque année."),
    ("inscription-enfant", "Inscription enfant", "IE", False, "Inscrivez chaque enfant aux services municipaux."),
    ("autorisations", "Autorisations", "AU", False, "Sorties, personnes autorisées, droit à l'image, soins d'urgence."),
    (
        "pai",
        "Projet d'accueil individualisé (PAI)",
        "PAI",
        True,
        "Pour un enfant qui a besoin d'un accueil adapté à sa santé.",
    ),
]


# What each form says about the others, with links (the dossier famille gives the QF that prices them).
FORM_INTRO_LINKS = {
    "inscription-enfant": "Avant d'inscrire un enfant, remplissez votre {dossier_famille} : son quotient familial "
    "sert à calculer vos tarifs. Si votre enfant a un PAI, remplissez aussi la démarche {pai}.",
    "autorisations": "Les responsables légaux sont ceux de votre {dossier_famille}.",
    "pai": "Le PAI complète l'{inscription_enfant} de votre enfant.",
}


def _intro(slug: str, description: str, links: dict[str, int]) -> str:
    intro = f"<p>{description}</p>"
    if slug in FORM_INTRO_LINKS:
        names = {
            "dossier_famille": _page_link(links.get("dossier-famille"), "dossier famille"),
            "inscription_enfant": _page_link(links.get("inscription-enfant"), "inscription enfant"),
            "pai": _page_link(links.get("pai"), "PAI"),
        }
        intro += f"<p>{FORM_INTRO_LINKS[slug].format(**names)}</p>"
    return intro


# Opening windows of the demo forms, in days from today (None: no limit), so that the home page's
# "Démarches en ligne" always shows forms open now with their closing date, and one opening soon.
DEMO_OPENINGS = {
    "dossier-famille": (-30, 45),
    "inscription-enfant": (-30, 45),
    ("bellerive", "autorisations"): (10, 70),
}


def _opening(council_slug: str, slug: str) -> dict:
    days = DEMO_OPENINGS.get((council_slug, slug)) or DEMO_OPENINGS.get(slug)
    if days is None:
        return {"opens_at": None, "closes_at": None}
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(0)))
    return {
        "opens_at": midnight + datetime.timedelta(days=days[0], hours=9),
        "closes_at": midnight + datetime.timedelta(days=days[1], hours=18),
    }


def _steps_for(slug: str, rules_page_id: int | None, links: dict[str, int] | None = None):
    return {
        "dossier-famille": lambda: dossier_famille(rules_page_id),
        "inscription-enfant": lambda: inscription_enfant(links),
        "autorisations": autorisations,
        "pai": pai,
    }[slug]()


def _first_rules_page_id(council) -> int | None:
    rules = rules_pages_for_council(council=council).first()
    return rules.pk if rules else None


def load(*, stdout) -> None:
    """Create or update the demo forms of every demo council."""
    for council in demo_councils():
        index = upsert_page(
            council,
            FormIndexPage,
            "demarches",
            title="Démarches",
            show_in_menus=True,
            intro="<p>Vos démarches en ligne : remplissez-les à votre rythme, vos réponses sont enregistrées à chaque étape.</p>",
        )
        rules_page_id = _first_rules_page_id(council)
        existing = {page.slug: page.pk for page in FormPage.objects.child_of(index)}
        created = []
        for slug, title, prefix, health, description in FORMS:
            fields = {
                "title": title,
                "search_description": description,
                "reference_prefix": prefix,
                "is_health_data": health,
                "intro": _intro(slug, description, existing),
                "confirmation_message": "<p>Merci. Le service enfance étudie votre dossier et vous tiendra informé par courriel.</p>",
                "email_subject": f"{title} : dossier {{reference}} reçu",
                **_opening(council.slug, slug),
            }
            if slug == "dossier-famille":
                fields.update(DOSSIER_FAMILLE_BACKOFFICE, requires_rules_accepted=bool(rules_page_id))
            if slug == "inscription-enfant":
                fields.update(INSCRIPTION_BACKOFFICE)
            if slug not in existing:
                fields["steps"] = json.dumps(_steps_for(slug, rules_page_id, existing))
                created.append(slug)
            existing[slug] = upsert_page(index, FormPage, slug, **fields).pk
        # Forms made just now link to forms made after them: once every page exists, links are complete.
        for slug in created:
            page = FormPage.objects.get(pk=existing[slug])
            description = page.search_description
            page.intro = _intro(slug, description, existing)
            page.steps = json.dumps(_steps_for(slug, rules_page_id, existing))
            page.save_revision().publish()
        # Dossiers are the agents' business: editors build forms only.
        editor_group_ensure(council).permissions.remove(
            *Permission.objects.filter(content_type__app_label="forms", codename__in=["view_dossier", "change_dossier"])
        )
        stdout.write(f"Forms: {council.official_name}: {len(FORMS)} forms under /{index.slug}/.")
        _staff(council, stdout)
    family = _demo_family()
    for council in demo_councils():
        _demo_dossiers(council, family)
        if council.slug == "valmont":
            _demo_qf_check(council)
    stdout.write(f"Family: {DEMO_FAMILY_EMAIL} / {DEMO_FAMILY_PASSWORD} (a few dossiers famille in each status)")


DOSSIER_FAMILLE_BACKOFFICE = {
    "requires_qf": True,
    "priced_services": "cantine, alsh-journee",
    "renewable": True,
}
# An enrolment is priced with the QF of the family's dossier famille (forms.family.pricing.dossier_prices_estimate).
INSCRIPTION_BACKOFFICE = {"priced_services": "cantine, alsh-journee"}
DEMO_FAMILY_EMAIL = "famille.lambert@example.fr"
DEMO_FAMILY_PASSWORD = "demo-famille-2026"
# Demo agents' TOTP secrets (20 bytes, hex), like home.demo.DEMO_TOTP_KEYS for the editors.
DEMO_AGENT_TOTP_KEYS = {
    "agent.valmont": b"valmont-agent-totp!!".hex(),
    "agent.bellerive": b"bellerive-agent-totp".hex(),
}


def _staff(council, stdout) -> None:
    """The council's back-office groups and its demo agent (password, TOTP secret, backup codes)."""
    groups = {role: council_group_ensure(council=council, role=role) for role in StaffRole}
    username = f"agent.{council.slug}"
    ensure_staff_user(
        username,
        email=f"agent@{council.slug}.example.fr",
        groups=[groups[StaffRole.AGENT]],
        password=DEMO_PASSWORD_STAFF,
    )
    user = get_user_model().objects.get(username=username)
    key = DEMO_AGENT_TOTP_KEYS[username]
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    TOTPDevice.objects.update_or_create(user=user, key=key, defaults={"name": "demo", "confirmed": True})
    backup, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    backup.token_set.all().delete()
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=t) for t in demo_backup_codes(username))
    stdout.write(
        f"Agent: {username} / {DEMO_PASSWORD_STAFF} (TOTP key {key}, backup codes "
        f"{', '.join(demo_backup_codes(username))})"
    )


def _demo_family():
    user, _created = get_user_model().objects.get_or_create(
        username=DEMO_FAMILY_EMAIL,
        defaults={"email": DEMO_FAMILY_EMAIL, "first_name": "Claire", "last_name": "Lambert"},
    )
    user.set_password(DEMO_FAMILY_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=DEMO_FAMILY_EMAIL, defaults={"primary": True, "verified": True}
    )
    return user


DEMO_STATUSES = ["submitted", "under_review", "correction_requested", "validated", "refused", "closed"]


def _demo_dossiers(council, family) -> None:
    """One dossier famille per status for the demo family (made once: existing ones are kept as they are)."""
    page = FormPage.objects.descendant_of(council).filter(slug="dossier-famille").first()
    if page is None or Dossier.objects.filter(form_page=page, family=family).exists():
        return
    page = page.specific
    definition = definition_for(page).as_json()
    with transaction.atomic():
        for number, status in enumerate(DEMO_STATUSES):
            answers = {
                "responsable1_nom": "Lambert",
                "responsable1_prenom": "Claire",
                "responsable1_telephone": "06 12 34 56 78",
                "second_responsable": False,
                "adresse": {
                    "street": f"{number + 3} rue des Tilleuls",
                    "complement": "",
                    "postcode": "21990",
                    "city": "Valmont",
                },
                "quotient_familial": 620 + 40 * number,
                "enfants": [{"prenom": "Jules", "nom": "Lambert", "date_naissance": "2017-05-14"}],
            }
            dossier = Dossier.objects.create(
                reference=reference_next(council=council, prefix=page.reference_prefix, year=2026),
                form_page=page,
                revision_id=page.live_revision_id,
                definition=definition,
                answers=answers,
                family=family,
                contact_email=family.email,
                council=council,
                status=status,
                qf=answers["quotient_familial"],
            )
            DossierEvent.objects.create(dossier=dossier, actor=family, kind="submitted", to_status="submitted")
            if status != "submitted":
                DossierEvent.objects.create(
                    dossier=dossier,
                    kind="transition",
                    from_status="submitted",
                    to_status=status,
                    comment="Démonstration",
                )
            if status == "validated":  # the demo family's household comes from its validated dossier famille
                household_sync_submitted(dossier=dossier)


# Households for the yearly QF check, one or more per class (forms.backoffice.qf_check): (last name, QF on file,
# its provider, the simulator family whose identity the household consented to send, consent withdrawn since,
# a validated dossier famille priced on its QF). The simulator answers: LAMBERT CNAF 620, DA SILVA CNAF 1350,
# FONTAINE MSA 410, PETIT no CAF file, ROBIN identity not matched.
DEMO_QF_CHECK = [
    ("Dubois", 620, "cnaf", "cnaf-couple-2-enfants", False, False),  # unchanged
    ("Mercier", 380, "cnaf", "cnaf-couple-2-enfants", False, True),  # changed: 380 -> 620
    ("Garnier", 380, "cnaf", "cnaf-nee-etranger-4-enfants", False, True),  # changed: 380 -> 1350
    ("Fontaine", 410, "cnaf", "msa-parent-3-enfants", False, False),  # at the MSA
    ("Petit", 450, "cnaf", "sans-dossier-cnaf", False, False),  # not found at the CAF
    ("Robin", 520, "cnaf", "identite-non-reconnue", False, False),  # identity no longer matched
    ("Roux", 700, "cnaf", "cnaf-couple-2-enfants", True, False),  # consent withdrawn
    ("Blanc", 900, "tax_notice", None, False, False),  # never fetched: a tax notice read by an agent
    ("Noir", 300, "", None, False, False),  # declared without proof
]


def _demo_qf_check(council) -> None:
    """The demo households of the yearly QF check (made once: existing accounts are kept as they are)."""
    page = FormPage.objects.descendant_of(council).filter(slug="dossier-famille").first()
    insee = next(iter(council.served_codes()), "")
    month = timezone.localdate().replace(day=1)
    last_year = month.replace(year=month.year - 1)
    for name, qf, provider, family_key, withdrawn, priced in DEMO_QF_CHECK:
        email = f"foyer.{name.lower()}@example.fr"
        if get_user_model().objects.filter(username=email).exists():
            continue
        with transaction.atomic():
            user = get_user_model().objects.create_user(username=email, email=email, first_name="Alex", last_name=name)
            user.set_unusable_password()
            user.save()
            household = Household.objects.create(
                council=council,
                address_street="2 place de la Mairie",
                address_postcode="21990",
                address_city="Valmont",
                address_insee=insee,
                qf=qf,
                qf_provider=provider,
                qf_month=last_year if provider else None,
                qf_verified=bool(provider),
            )
            HouseholdAccount.objects.create(household=household, user=user, council=council)
            HouseholdGuardian.objects.create(household=household, last_name=name, first_name="Alex", email=email)
            HouseholdEvent.objects.create(household=household, kind=HouseholdEventKind.CREATED, comment="Démonstration")
            if family_key:
                demo_consent(user=user, council=council, family_key=family_key, withdrawn=withdrawn)
            if priced and page is not None:
                _demo_priced_dossier(page.specific, council, user, name=name, qf=qf, insee=insee)


def _demo_priced_dossier(page, council, user, *, name: str, qf: int, insee: str) -> None:
    answers = {
        "responsable1_nom": name,
        "responsable1_prenom": "Alex",
        "responsable1_telephone": "06 12 34 56 78",
        "second_responsable": False,
        "adresse": {"street": "2 place de la Mairie", "complement": "", "postcode": "21990", "city": "Valmont",
                    "insee": insee},
        "quotient_familial": qf,
        "enfants": [{"prenom": "Léa", "nom": name, "date_naissance": "2018-03-02"}],
    }  # fmt: skip
    dossier = Dossier.objects.create(
        reference=reference_next(council=council, prefix=page.reference_prefix, year=timezone.localdate().year),
        form_page=page,
        revision_id=page.live_revision_id,
        definition=definition_for(page).as_json(),
        answers=answers,
        family=user,
        contact_email=user.email,
        council=council,
        status="validated",
        qf=qf,
        qf_source="cnaf",
        validated_at=timezone.now(),
    )
    DossierEvent.objects.create(dossier=dossier, actor=user, kind="submitted", to_status="submitted")
    DossierEvent.objects.create(
        dossier=dossier, kind="transition", from_status="submitted", to_status="validated", comment="Démonstration"
    )
    dossier.prices = dossier_prices_compute(dossier=dossier)
    dossier.save(update_fields=["prices"])
