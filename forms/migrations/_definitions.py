"""For data migrations (Django's loader skips this module: its name starts with "_"): rewrite the steps of
every form page, of each of its revisions, and the definition snapshot of every dossier."""

import json


def definitions_rewrite(apps, *, tag_raw, tag_definition) -> None:
    """``tag_raw(raw_steps)`` changes a StreamField's raw steps in place, ``tag_definition(steps)`` a dossier's
    plain definition; each returns whether it changed anything (only then is the row saved)."""
    FormPage = apps.get_model("forms", "FormPage")
    Revision = apps.get_model("wagtailcore", "Revision")
    Dossier = apps.get_model("forms", "Dossier")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for page in FormPage.objects.all():
        raw = page.steps.raw_data if hasattr(page.steps, "raw_data") else page.steps
        raw = json.loads(raw) if isinstance(raw, str) else [dict(block) for block in raw]
        if tag_raw(raw):
            page.steps = raw
            page.save(update_fields=["steps"])
    content_type = ContentType.objects.filter(app_label="forms", model="formpage").first()
    if content_type is not None:
        for revision in Revision.objects.filter(content_type=content_type).iterator():
            content = revision.content or {}
            steps = content.get("steps")
            raw = json.loads(steps) if isinstance(steps, str) else steps
            if raw and tag_raw(raw):
                content["steps"] = json.dumps(raw) if isinstance(steps, str) else raw
                Revision.objects.filter(pk=revision.pk).update(content=content)
    for dossier in Dossier.objects.only("pk", "definition").iterator():
        if tag_definition(dossier.definition):
            Dossier.objects.filter(pk=dossier.pk).update(definition=dossier.definition)
