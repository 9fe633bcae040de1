"""Audit item 10: the history views of council objects and the Site history report are limited to the
staff member's councils, like their edit, delete and inspect views (one guard: home.admin_scoping).

The tests print how many of another council's URLs they tried and how many answered 404 (run with -s)."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from wagtail.log_actions import log

from connectors.models import ApiCallLog
from forms.models import NotificationTemplate
from tests.conftest import make_staff, otp_client
from tests.connectors.conftest import make_habilitation

pytestmark = pytest.mark.django_db


def grant(user, app_label, *codenames):
    for group in user.groups.all():
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


@pytest.fixture
def valmont_objects(council_a, editor_a):
    habilitation = make_habilitation(council_a, title="Habilitation Valmont")
    call = ApiCallLog.objects.create(
        council=council_a, habilitation=habilitation, route="/v3/x", outcome="ok", purge_after=timezone.now()
    )
    template = NotificationTemplate.objects.create(
        council=council_a, event=NotificationTemplate._meta.get_field("event").choices[0][0], subject="Objet Valmont"
    )
    for instance in (habilitation, call, template):
        log(instance, "wagtail.edit", user=editor_a)
    return habilitation, call, template


def history_urls(habilitation, call, template) -> list[str]:
    return [
        f"/admin/connectors/habilitation/history/{habilitation.pk}/",
        f"/admin/connectors/apicalllog/history/{call.pk}/",
        f"/admin/forms/notificationtemplate/history/{template.pk}/",
    ]


def test_history_views_answer_404_to_staff_of_another_council(valmont_objects, council_b, editor_a, editor_b):
    connectors = ("view_habilitation", "change_habilitation", "view_apicalllog")
    templates = ("view_notificationtemplate", "change_notificationtemplate")
    for user in (editor_a, editor_b):
        grant(user, "connectors", *connectors)
        grant(user, "forms", *templates)
    # Bellerive's editor, also working as an agent of Bellerive (the notification templates' staff).
    from forms.backoffice.roles import council_group_ensure

    editor_b.groups.add(council_group_ensure(council=council_b, role="agent"))
    grant(editor_b, "forms", *templates)
    urls = history_urls(*valmont_objects)
    outsider = otp_client(editor_b)
    refused = sum(outsider.get(url).status_code == 404 for url in urls)
    print(f"history views: {len(urls)} Valmont URLs tried by editeur of Bellerive, {refused} answered 404")
    assert refused == len(urls)
    insider = otp_client(make_staff("admin.test", superuser=True))
    assert [insider.get(url).status_code for url in urls] == [200, 200, 200]


def test_the_site_history_report_hides_the_other_councils_objects(valmont_objects, council_b, editor_a, editor_b):
    for user in (editor_a, editor_b):
        grant(user, "connectors", "view_habilitation", "change_habilitation", "view_apicalllog")
    for url in ("/admin/reports/site-history/", "/admin/reports/site-history/results/"):
        outsider = otp_client(editor_b).get(url)
        assert outsider.status_code == 200 and "Habilitation Valmont" not in outsider.text
        insider = otp_client(editor_a).get(url)
        assert insider.status_code == 200 and "Habilitation Valmont" in insider.text
