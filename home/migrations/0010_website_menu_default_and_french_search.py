"""A new menu entry comes without an empty submenu link. French site search on PostgreSQL: a text search
configuration ``french_unaccent`` (French stemming, accents ignored), named by WAGTAILSEARCH_BACKENDS's
SEARCH_CONFIG. SQLite's FTS5 index (the embedded default) already ignores accents and has no French stemmer."""

import wagtail.fields
from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION french_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END $$;
"""
DROP = "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("home", "0009_website_pages_blocks_menus")]

    operations = [
        migrations.AlterField(
            model_name="councilhomepage",
            name="main_menu",
            field=wagtail.fields.StreamField(
                [("item", 5)],
                blank=True,
                block_lookup={
                    0: ("wagtail.blocks.PageChooserBlock", (), {"label": "page", "required": False}),
                    1: ("wagtail.blocks.URLBlock", (), {"label": "or another address", "required": False}),
                    2: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Defaults to the page's title.",
                            "label": "link text",
                            "max_length": 100,
                            "required": False,
                        },
                    ),
                    3: ("wagtail.blocks.StructBlock", [[("page", 0), ("url", 1), ("label", 2)]], {}),
                    4: (
                        "wagtail.blocks.ListBlock",
                        (3,),
                        {
                            "default": [],
                            "help_text": "Optional links shown under this entry; keep the list short (at most seven).",
                            "label": "submenu",
                            "required": False,
                        },
                    ),
                    5: ("wagtail.blocks.StructBlock", [[("page", 0), ("url", 1), ("label", 2), ("children", 4)]], {}),
                },
                help_text="At most seven entries, each with an optional submenu. Empty: the pages marked “show in menus”.",
                verbose_name="main menu",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
