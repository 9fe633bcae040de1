"""Issue 13, item 13: inputs that used to end in a 500 get a clear answer (404, or an explanation)."""

from django.test import Client
from django.urls import reverse

from home.models import RulesAcceptance
from tests.conftest import make_family, make_staff, otp_client

from .conftest import accept, make_rules


def test_ids_beyond_the_database_s_integers_are_a_404(council_a, family):
    client = Client(HTTP_HOST="localhost")
    family_client = Client(HTTP_HOST="localhost")
    family_client.force_login(family)
    huge = [2**63, 2**64, 10**30]
    answers = []
    for number in huge:
        answers.append(client.get(f"/api/tarifs/{number}/").status_code)
        answers.append(client.get(f"/api/tarifs/{number}/quote", follow=True).status_code)
        answers.append(family_client.post(f"/espace-famille/renouveler/{number}/").status_code)
    assert answers == [404] * 9
    assert client.get("/api/tarifs/123/").status_code == 404  # an ordinary unknown id: the API's own 404


def test_deleting_a_family_that_accepted_rules_explains_why_not(council_a):
    family = make_family("lambert@example.fr")
    accept(make_rules(council_a), family)
    admin = otp_client(make_staff("admin", superuser=True))
    url, edit_url = reverse("wagtailusers_users:delete", args=[family.pk]), f"/admin/users/edit/{family.pk}/"
    tried = [admin.get(url), admin.post(url)]
    for response in tried:
        assert response.status_code == 302 and response["Location"] == edit_url
    page = admin.get(edit_url).content.decode()
    assert "ne peut pas être supprimé" in page
    assert RulesAcceptance.objects.filter(user=family).count() == 1
    # An account without evidence is deleted as before.
    other = make_family("autre@example.fr")
    assert admin.post(reverse("wagtailusers_users:delete", args=[other.pk])).status_code == 302
    assert not type(other).objects.filter(pk=other.pk).exists()
