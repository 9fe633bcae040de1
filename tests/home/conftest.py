"""Builders of council pages for the ``home`` tests: small ``make_*`` functions, published through Wagtail."""

from datetime import date

from home.models import DeliberationIndexPage, DeliberationPage


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_deliberation_index(council, **fields) -> DeliberationIndexPage:
    index = DeliberationIndexPage(title=fields.pop("title", "Délibérations"), slug=fields.pop("slug", "deliberations"))
    council.add_child(instance=index)
    return publish(index)


def make_deliberation(index, number: str, *, session_date=date(2025, 6, 27), code="7.10", **fields) -> DeliberationPage:
    page = DeliberationPage(
        title=fields.pop("title", f"Délibération {number}"),
        slug=fields.pop("slug", f"deliberation-{number.replace('/', '-')}"),
        number=number,
        session_date=session_date,
        nomenclature_code=code,
        subject=fields.pop("subject", "Tarifs des services périscolaires"),
        decision=fields.pop("decision", "<p>Le conseil municipal adopte les tarifs.</p>"),
        **fields,
    )
    index.add_child(instance=page)
    return publish(page)


def make_rules(council, *, slug="reglement-centre-social", effective_date=date(2025, 9, 1), **fields):
    from home.models import RulesPage

    page = RulesPage(
        title=fields.pop("title", "Règlement intérieur du centre social"),
        slug=slug,
        body=fields.pop("body", "<p>Article 1 : les familles inscrivent leurs enfants chaque année.</p>"),
        effective_date=effective_date,
        **fields,
    )
    council.add_child(instance=page)
    return publish(page)


def republish(page, **changes):
    for name, value in changes.items():
        setattr(page, name, value)
    return publish(page)


def accept(rules_page, user, **fields):
    from home.services import rules_accept

    defaults = {
        "guardian_name": "Camille Martin",
        "checkbox_label": "J'ai lu et j'accepte le règlement.",
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (test)",
    }
    return rules_accept(rules_page=rules_page, user=user, **{**defaults, **fields})
