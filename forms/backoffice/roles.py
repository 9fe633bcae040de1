"""Staff groups per council and role: what each role may do with dossiers (see ``selectors.staff_councils``).

- agents: read the council's dossiers, review, ask for corrections, validate, notes, exports;
- agents with health access: the same, plus health data (PAI fields and files);
- billing: read dossiers and their prices, exports (tariff decrees are pages edited through ``home``).
Editors (pages and forms) are ``home.demo.editor_group_ensure``: they do not read dossiers.
"""

from django.contrib.auth.models import Group, Permission

from ..models import CouncilRole, StaffRole

AGENT_PERMISSIONS = [
    "forms.view_dossier",
    "forms.change_dossier",
    "forms.export_dossiers",
    "forms.view_notificationtemplate",
    "forms.add_notificationtemplate",
    "forms.change_notificationtemplate",
    "connectors.view_consent",  # which consents a family gave (connectors/consents_views.py)
]
ROLE_PERMISSIONS = {
    StaffRole.AGENT: AGENT_PERMISSIONS,
    StaffRole.HEALTH: [*AGENT_PERMISSIONS, "forms.view_health_data"],
    StaffRole.BILLING: ["forms.view_dossier", "forms.export_dossiers"],
}
ROLE_GROUP_NAMES = {
    StaffRole.AGENT: "agents",
    StaffRole.HEALTH: "agents (accès santé)",
    StaffRole.BILLING: "facturation",
}


def council_group_ensure(*, council, role: str) -> Group:
    """The group of ``council``'s staff in ``role``, with the role's permissions (created or brought up to date)."""
    group, _created = Group.objects.get_or_create(name=f"{council.official_name} – {ROLE_GROUP_NAMES[role]}")
    wanted = ["wagtailadmin.access_admin", *ROLE_PERMISSIONS[role]]
    for name in wanted:
        app_label, codename = name.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    CouncilRole.objects.update_or_create(group=group, defaults={"council": council, "role": role})
    return group
