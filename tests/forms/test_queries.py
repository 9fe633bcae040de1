"""The number of SQL queries of a step page does not grow with the number of fields."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import family_client, field, group, make_form, step, step_url

KINDS = ["short_text", "email", "date", "integer", "yes_no", "postcode", "phone", "long_text", "decimal", "consent"]


def wide_form(council, count, slug):
    fields = []
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        fields.append(field(kind, f"{kind}_{number}", f"Question {number}", required=False))
    fields.append(field("file", "piece", "Pièce", required=False))
    fields.append(group("enfants", field("short_text", "prenom", "Prénom", required=False), required=False))
    return make_form(council, step("Beaucoup de questions", *fields), slug=slug)


def queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302)
    return len(captured)


def test_queries_per_step_page_are_bounded_and_equal(council_a, family, other_family):
    small, large = wide_form(council_a, 10, "petit"), wide_form(council_a, 60, "grand")
    counts = {}
    for page, user in [(small, family), (large, other_family)]:
        client = family_client(user)
        client.post(page.url)
        client.get(step_url(page, 1))  # warm the per-revision caches, as any page after the first
        fresh = queries(client, "get", step_url(page, 1))
        data = {f"short_text_{n}": "x" for n in range(0, 60, 10)} | {"enfants-count": "1", "enfants-0-prenom": "Léa"}
        posted = queries(client, "post", step_url(page, 1), data)
        filled = queries(client, "get", step_url(page, 1))
        counts[page.slug] = (fresh, posted, filled)
    assert counts["petit"] == counts["grand"]
    fresh, posted, filled = counts["grand"]
    # Session, user, draft, the page's privacy restrictions (two), and the family's files when the step
    # has a file field: the page's route and the council's header and footer are remembered.
    assert fresh <= 7 and filled <= 7 and posted <= 12
