"""Demo content of the ``forms`` app, loaded by ``manage.py load_initial_data`` (idempotent).

Per demo council: a "Démarches" page and four forms (dossier famille, inscription enfant, autorisations,
PAI). A form that exists already keeps its steps (an editor may have changed them); its settings are
brought back to the demo's. Editors of each council may read its dossiers until the agents' groups of
the back-office take over.
"""

import json

from django.contrib.auth.models import Permission

from home.demo import _editor_group, demo_councils, upsert_page

from .models import FormIndexPage, FormPage

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
        _field("short_text", f"{prefix}_nom", "Nom", required=required),
        _field("short_text", f"{prefix}_prenom", "Prénom", required=required),
        _field("phone", f"{prefix}_telephone", "Téléphone", required=required),
        _field("email", f"{prefix}_courriel", "Adresse électronique", required=False),
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
        _field("integer", "quotient_familial", "Quotient familial", required=False, min_value=0, max_value=10000),
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
                "short_text", "responsable2_nom", "Nom du second responsable", condition=_when("second_responsable")
            ),
            _field(
                "short_text",
                "responsable2_prenom",
                "Prénom du second responsable",
                condition=_when("second_responsable"),
            ),
            _field(
                "phone",
                "responsable2_telephone",
                "Téléphone du second responsable",
                condition=_when("second_responsable"),
            ),
            intro="En cas de garde alternée, chaque parent remplit son propre dossier.",
        ),
        _step(
            "Adresse",
            _field("address", "adresse", "Adresse du foyer"),
            _field("file", "justificatif_domicile", "Justificatif de domicile de moins de 3 mois"),
        ),
        _step("Ressources", *resources),
        _step(
            "Enfants",
            _group(
                "enfants",
                "Enfants du foyer",
                "Enfant",
                [
                    _field("short_text", "prenom", "Prénom"),
                    _field("short_text", "nom", "Nom"),
                    _field("date", "date_naissance", "Date de naissance", max_age=18),
                ],
                min_items=1,
                max_items=8,
                add="Ajouter un enfant",
                remove="Retirer cet enfant",
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


def inscription_enfant():
    return [
        _step(
            "L'enfant",
            _field("short_text", "prenom", "Prénom de l'enfant"),
            _field("short_text", "nom", "Nom de l'enfant"),
            _field("date", "date_naissance", "Date de naissance", max_age=17),
            _field(
                "multiple_choice",
                "services",
                "Services souhaités",
                choices=[
                    "Restauration scolaire",
                    "Accueil périscolaire du matin",
                    "Accueil périscolaire du soir",
                    "Accueil de loisirs du mercredi",
                ],
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
            _field("file", "vaccinations", "Pages vaccinations du carnet de santé", health=True),
            _field("yes_no", "a_pai", "L'enfant a-t-il un projet d'accueil individualisé (PAI) ?"),
            _info(
                "Projet d'accueil individualisé",
                "<p>Le PAI est établi avec le médecin scolaire. Remplissez aussi la démarche « PAI » du portail.</p>",
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
            _field("file", "attestation_assurance", "Attestation d'assurance"),
        ),
    ]


def autorisations():
    return [
        _step(
            "L'enfant",
            _field("short_text", "prenom", "Prénom de l'enfant"),
            _field("date", "date_naissance", "Date de naissance", max_age=17),
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
            _field("short_text", "prenom", "Prénom de l'enfant"),
            _field("short_text", "nom", "Nom de l'enfant"),
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


def _steps_for(slug: str, rules_page_id: int | None):
    return {
        "dossier-famille": lambda: dossier_famille(rules_page_id),
        "inscription-enfant": inscription_enfant,
        "autorisations": autorisations,
        "pai": pai,
    }[slug]()


def _first_rules_page_id(council) -> int | None:
    try:
        from home.selectors import rules_pages_for_council
    except ImportError:
        return None
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
        for slug, title, prefix, health, description in FORMS:
            fields = {
                "title": title,
                "search_description": description,
                "reference_prefix": prefix,
                "is_health_data": health,
                "intro": f"<p>{description}</p>",
                "confirmation_message": "<p>Merci. Le service enfance étudie votre dossier et vous tiendra informé par courriel.</p>",
                "email_subject": f"{title} : dossier {{reference}} reçu",
            }
            if not FormPage.objects.child_of(index).filter(slug=slug).exists():
                fields["steps"] = json.dumps(_steps_for(slug, rules_page_id))
            upsert_page(index, FormPage, slug, **fields)
        group = _editor_group(council)
        group.permissions.add(Permission.objects.get(content_type__app_label="forms", codename="view_dossier"))
        stdout.write(f"Forms: {council.official_name}: {len(FORMS)} forms under /{index.slug}/.")
