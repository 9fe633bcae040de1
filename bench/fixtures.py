"""What the benchmark needs in its database, built through the apps' public functions and pages.

- ``bench_forms()``: under the demo council "valmont", a rules page with a version in force, a form index
  and three ``FormPage``s (20 fields on one step; 10 fields with a rules acceptance on one step; 60 fields
  on three steps with a rules acceptance), and the bare Wagtail ``BareFormPage`` with the same 20 fields;
- ``fill_draft()``: fills a form through its own pages (Django's test client, in process), so that the
  answers have exactly the shape the form builder stores;
- ``families()`` and ``session_cookie()``: family accounts in bulk and their logged-in sessions;
- ``drafts_for()``: one complete draft per family (copies of a filled one), ready to submit.
"""

import datetime
import html.parser
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone


class NotAvailable(Exception):
    """A prerequisite of a figure does not exist (yet): the figure reports n/a with this reason."""


# The 20 fields of the step measured (type, label, options), and the bare Wagtail equivalent of each.
FIELDS_20 = [
    ("short_text", "Nom de naissance", {}, "singleline"),
    ("short_text", "Prénoms", {}, "singleline"),
    ("email", "Adresse électronique", {}, "email"),
    ("phone", "Téléphone portable", {}, "singleline"),
    ("date", "Date de naissance", {}, "date"),
    ("integer", "Nombre d'enfants à charge", {"min_value": 0, "max_value": 20}, "number"),
    ("decimal", "Revenu mensuel du foyer", {}, "number"),
    ("yes_no", "Êtes-vous allocataire de la CAF ?", {}, "radio"),
    ("single_choice", "Situation familiale", {"choices": ["Marié(e)", "Pacsé(e)", "Célibataire"]}, "radio"),
    ("single_choice", "Régime", {"choices": ["CAF", "MSA", "Autre"], "display": "list"}, "dropdown"),
    (
        "multiple_choice",
        "Services souhaités",
        {"choices": ["Cantine", "Périscolaire", "Centre de loisirs"]},
        "checkboxes",
    ),
    ("postcode", "Code postal", {}, "singleline"),
    ("caf_number", "Numéro d'allocataire", {}, "singleline"),
    ("long_text", "Informations complémentaires", {}, "multiline"),
    ("short_text", "Profession", {}, "singleline"),
    ("short_text", "Employeur", {}, "singleline"),
    ("short_text", "Commune de résidence", {}, "singleline"),
    ("short_text", "Médecin traitant", {}, "singleline"),
    ("short_text", "Personne à prévenir", {}, "singleline"),
    ("consent", "J'atteste l'exactitude des informations", {}, "checkbox"),
]
YES_NO_CHOICES = ["Oui", "Non"]
HELP = "Comme indiqué sur vos justificatifs."


def _field_block(kind: str, key: str, label: str, options: dict) -> dict:
    return {"type": kind, "value": {"label": label, "key": key, "help_text": HELP, "required": True, **options}}


def _step(title: str, fields: list[dict]) -> dict:
    return {"type": "step", "value": {"title": title, "intro": "", "fields": fields}}


def _fields(prefix: str, count: int) -> list[dict]:
    return [
        _field_block(kind, f"{prefix}_{number:02d}", label, options)
        for number, (kind, label, options, _wagtail) in enumerate((FIELDS_20 * 3)[:count], start=1)
    ]


def _rules_block(key: str, rules_page_id: int) -> dict:
    return _field_block("rules", key, "Règlement intérieur", {"rules_page": rules_page_id})


@dataclass
class BenchForms:
    council: object
    form_20: object
    form_10: object | None
    form_60: object | None
    bare: object
    rules_page: object | None
    notes: list[str] = field(default_factory=list)


def _rules_page(council):
    """A rules page of the council with a version in force, if the rules feature exists."""
    try:
        from home.models import RulesPage
        from home.services import rules_version_publish
    except ImportError:
        return None
    from home.demo import upsert_page

    page = upsert_page(
        council,
        RulesPage,
        "bench-reglement",
        title="Règlement du périscolaire (banc d'essai)",
        body="<p>Les familles respectent les horaires d'accueil.</p>",
        effective_date=timezone.localdate() - datetime.timedelta(days=30),
    )
    rules_version_publish(rules_page=page)
    return page


@transaction.atomic
def bench_forms() -> BenchForms:
    """Create (idempotently) the benchmark's form pages under the demo council "valmont"."""
    from home.demo import upsert_page
    from home.selectors import council_by_slug

    try:
        from forms.models import FormIndexPage, FormPage
    except ImportError as error:
        raise NotAvailable(f"the form builder is not there ({error})") from error
    from .refapp.models import BareFormField, BareFormPage

    council = council_by_slug("valmont")
    notes = []
    index = upsert_page(council, FormIndexPage, "bench-demarches", title="Démarches (banc d'essai)")
    common = {"access": "family", "multiplicity": "several", "reference_prefix": "BN"}
    form_20 = upsert_page(
        index, FormPage, "bench-20", title="Vingt champs", steps=[_step("Votre foyer", _fields("a", 20))], **common
    )
    rules_page = _rules_page(council)
    form_10 = form_60 = None
    if rules_page is None:
        notes.append("no rules pages in home: submit forms measured without rules acceptance")
        rules_10, rules_60 = [], []
    else:
        rules_10 = [_rules_block("b_rules", rules_page.pk)]
        rules_60 = [_rules_block("c_rules", rules_page.pk)]
    form_10 = upsert_page(
        index,
        FormPage,
        "bench-10",
        title="Dix champs",
        steps=[_step("Votre foyer", _fields("b", 10 - len(rules_10)) + rules_10)],
        **common,
    )
    fields_60 = _fields("c", 60 - len(rules_60)) + rules_60
    form_60 = upsert_page(
        index,
        FormPage,
        "bench-60",
        title="Soixante champs",
        steps=[_step(f"Partie {n + 1}", fields_60[n * 20 : (n + 1) * 20]) for n in range(3)],
        **common,
    )
    bare = BareFormPage.objects.child_of(council).filter(slug="bench-wagtail").first()
    if bare is None:
        bare = BareFormPage(
            slug="bench-wagtail",
            title="Vingt champs (Wagtail)",
            to_address="mairie@valmont.example.fr",
            from_address="portail@valmont.example.fr",
            subject="Nouvelle demande",
        )
        for number, (_kind, label, options, wagtail_type) in enumerate(FIELDS_20, start=1):
            choices = options.get("choices") or (YES_NO_CHOICES if wagtail_type == "radio" else [])
            bare.form_fields.add(
                BareFormField(
                    sort_order=number,
                    label=label,
                    clean_name=f"a_{number:02d}",
                    field_type=wagtail_type,
                    required=True,
                    choices="\n".join(choices),
                    help_text=HELP,
                )
            )
        council.add_child(instance=bare)
        bare.save_revision().publish()
    return BenchForms(council, form_20, form_10, form_60, bare, rules_page, notes)


# Families and sessions ---------------------------------------------------------------------


def families(prefix: str, count: int) -> list:
    """``count`` family accounts (no password: they log in through sessions made here)."""
    user_model = get_user_model()
    existing = user_model.objects.filter(username__startswith=f"{prefix}-").count()
    users = []
    for number in range(existing, count):
        user = user_model(username=f"{prefix}-{number:06d}", email=f"{prefix}-{number:06d}@familles.example.fr")
        user.set_unusable_password()
        users.append(user)
    user_model.objects.bulk_create(users, batch_size=1000)
    return list(user_model.objects.filter(username__startswith=f"{prefix}-").order_by("username")[:count])


def session_cookie(user) -> str:
    """A logged-in session of ``user`` (as ``django.contrib.auth.login`` would store it); its key."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key


CSRF_TOKEN = "BenchCsrfSecretBenchCsrfSecret32"  # noqa: S105 (not a secret; 32 characters: valid as CSRF cookie and form token)


def cookie_header(session_key: str | None) -> str:
    names = settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME
    parts = [f"{names[1]}={CSRF_TOKEN}"]
    if session_key:
        parts.insert(0, f"{names[0]}={session_key}")
    return "; ".join(parts)


# Filling forms through their pages ---------------------------------------------------------


class _Inputs(html.parser.HTMLParser):
    """The named inputs of the last POST form of a page: (name, type, value) and select options."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[tuple[str, str, str]] = []
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.inputs, self.selects = [], {}
        elif tag == "input" and attrs.get("name"):
            self.inputs.append((attrs["name"], (attrs.get("type") or "text").lower(), attrs.get("value") or "on"))
        elif tag == "textarea" and attrs.get("name"):
            self.inputs.append((attrs["name"], "textarea", ""))
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self.selects[self._select] = []
            self.inputs.append((attrs["name"], "select", ""))
        elif tag == "option" and self._select and attrs.get("value"):
            self.selects[self._select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _value_for(name: str, kind: str) -> str:
    """A valid answer for an input, from its name (the benchmark's own keys) and type."""
    label_kind = None
    if name[:2] in {"a_", "b_", "c_"} and name[2:4].isdigit():
        label_kind = FIELDS_20[(int(name[2:4]) - 1) % len(FIELDS_20)][0]
    by_kind = {
        "postcode": "21990",
        "caf_number": "1234567",
        "phone": "06 12 34 56 78",
        "integer": "2",
        "decimal": "1850",
        "email": "famille@example.fr",
        "date": "1986-04-12",
    }
    if label_kind in by_kind:
        return by_kind[label_kind]
    if name.endswith("__guardian"):
        return "Camille Mercier"
    if name.endswith("__postcode"):
        return "21990"
    return {"email": "famille@example.fr", "tel": "06 12 34 56 78", "date": "1986-04-12", "number": "2"}.get(
        kind, "Réponse de la famille"
    )


def form_data(page_html: str) -> dict[str, list[str]]:
    """POST data answering every input of the page's form with a valid value."""
    parser = _Inputs()
    parser.feed(page_html)
    data: dict[str, list[str]] = {}
    for name, kind, value in parser.inputs:
        if kind in {"submit", "button", "file"}:
            continue
        if kind == "hidden":
            data.setdefault(name, [value])
        elif kind in {"radio", "checkbox"}:
            data.setdefault(name, [value])  # the first choice
        elif kind == "select":
            data.setdefault(name, parser.selects[name][:1])
        else:
            data.setdefault(name, [_value_for(name, kind)])
    return data


def step_url(page, number: int) -> str:
    return page.url + page.reverse_subpage("step", kwargs={"number": number})


def review_url(page) -> str:
    return page.url + page.reverse_subpage("review")


def fill_draft(page, user, *, steps: int | None) -> dict:
    """Fill ``page`` as ``user`` through its pages (start, each step); returns the draft's answers.

    ``steps=0`` only starts the form (an empty draft); ``None`` fills every step.
    """
    from forms.models import Draft

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    response = client.post(page.url)
    if response.status_code != 302:
        raise RuntimeError(f"starting {page.url} answered {response.status_code}")
    total = len(page.steps.raw_data)
    for number in range(1, (total if steps is None else steps) + 1):
        url = step_url(page, number)
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        response = client.post(url, form_data(response.content.decode()))
        if response.status_code != 302:
            raise RuntimeError(f"{url} refused the benchmark's answers (status {response.status_code})")
    return Draft.objects.get(form_page=page, user=user).answers


def drafts_for(page, users, answers: dict) -> None:
    """One complete draft of ``page`` per user, copies of ``answers`` (bulk insert)."""
    from forms.models import DRAFT_LIFETIME, Draft

    expires = timezone.now() + DRAFT_LIFETIME
    steps = len(page.steps.raw_data)
    Draft.objects.bulk_create(
        [Draft(form_page=page, user=user, answers=answers, furthest_step=steps, expires_at=expires) for user in users],
        batch_size=1000,
    )
