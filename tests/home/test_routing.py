"""Page URLs already resolved are served from memory, and memory follows every change of the page tree."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from home.models import StandardPage

from .conftest import publish


def make_page(parent, slug="infos", title="Infos pratiques", **fields) -> StandardPage:
    page = StandardPage(title=title, slug=slug, body="<p>Horaires de la mairie.</p>", **fields)
    parent.add_child(instance=page)
    return publish(page)


def get(url, host="localhost"):
    with CaptureQueriesContext(connection) as queries:
        response = Client(HTTP_HOST=host).get(url)
    return response, len(queries)


def test_a_url_seen_before_costs_no_walk_through_the_tree(council_a):
    parent = make_page(council_a, slug="vie-pratique", title="Vie pratique")
    make_page(parent)
    first, first_queries = get("/vie-pratique/infos/")
    again, again_queries = get("/vie-pratique/infos/")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    # Wagtail's walk: the site, then the child and its specific model at each of the three levels.
    assert again_queries <= first_queries - 6


def test_an_unpublished_page_is_no_longer_served(council_a):
    page = make_page(council_a)
    assert get("/infos/")[0].status_code == 200
    page.unpublish()
    assert get("/infos/")[0].status_code == 404


def test_a_new_slug_is_served_and_the_old_one_is_not(council_a):
    page = make_page(council_a)
    assert get("/infos/")[0].status_code == 200
    page.slug = "informations"
    publish(page)
    assert get("/informations/")[0].status_code == 200
    assert get("/infos/")[0].status_code != 200  # 404, or Wagtail's automatic redirect to the new URL


def test_a_page_made_private_after_being_seen_asks_for_a_login(council_a):
    page = make_page(council_a)
    assert get("/infos/")[0].status_code == 200
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.create(name="Élus")])
    response = get("/infos/")[0]
    assert response.status_code == 302
    assert "/login/" in response["Location"] or "/compte/" in response["Location"]


def test_a_moved_page_is_served_at_its_new_place_only(council_a):
    page = make_page(council_a)
    target = make_page(council_a, slug="mairie", title="Mairie")
    assert get("/infos/")[0].status_code == 200
    page.move(target, pos="last-child")
    assert get("/mairie/infos/")[0].status_code == 200
    assert get("/infos/")[0].status_code != 200


def test_each_council_keeps_its_own_pages_at_the_same_path(council_a, council_b):
    make_page(council_a, title="Infos de Valmont")
    make_page(council_b, title="Infos de Bellerive")
    for _ in range(2):
        assert "Infos de Valmont" in get("/infos/")[0].content.decode()
        assert "Infos de Bellerive" in get("/infos/", host="bellerive.localhost")[0].content.decode()


def test_what_is_read_before_a_change_is_committed_is_not_kept(council_a, django_capture_on_commit_callbacks):
    from common.memo import remembered

    page = make_page(council_a)
    with django_capture_on_commit_callbacks(execute=True):
        page.title = "Horaires d'été"
        publish(page)
        # Another request, before the commit, still reads the old state: it must not outlive the commit.
        assert remembered("title", page.pk, lambda: "Infos pratiques") == "Infos pratiques"
    assert remembered("title", page.pk, lambda: "Horaires d'été") == "Horaires d'été"


def test_memory_is_bounded_whatever_the_hosts_asked(council_a, settings, monkeypatch):
    from common import memo

    make_page(council_a)
    monkeypatch.setattr(memo, "MAX_REMEMBERED", 3)
    settings.ALLOWED_HOSTS = ["*"]
    for number in range(10):
        assert get("/infos/", host=f"alias{number}.localhost")[0].status_code == 200
    assert memo.remembered_count() <= 4
