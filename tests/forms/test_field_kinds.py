"""The field kinds' registry: every kind has every facet, and the builder's lists come from it."""

import datetime

import pytest
from django.template.loader import get_template
from wagtail import blocks

from forms.engine import roles
from forms.engine.blocks import StepBlock
from forms.engine.fieldtypes import (
    FIELD_TYPES,
    FieldType,
    field_blocks,
    field_type,
    item_field_blocks,
    kinds_where,
    register,
)

FACETS = ("is_input", "has_key", "in_group", "correctable", "renewed", "cacheable", "exported", "holds_file")
SETTINGS = {"file_types": ["pdf"], "max_file_size": 1024 * 1024}


def sample_spec(name: str) -> dict:
    return {
        "type": name,
        "key": "champ",
        "label": "Champ",
        "help_text": "",
        "required": False,
        "health": False,
        "condition": None,
        "choices": ["A", "B"],
        "fields": [],
        "mappings": [],
    }


@pytest.mark.parametrize("name", sorted(FIELD_TYPES))
def test_every_kind_has_every_facet(name):
    kind = FIELD_TYPES[name]
    assert kind.name == name
    for facet in FACETS:
        assert isinstance(getattr(kind, facet), bool), facet
    assert kind.prefill_target in ("", "simple", "address", "group")
    assert set(kind.roles) <= set(roles.LABELS)
    block = kind.block()
    assert isinstance(block, blocks.StructBlock) and block.meta.label
    spec = sample_spec(name)
    assert get_template(kind.template_for(spec))
    fields = kind.form_fields(spec, SETTINGS)
    assert bool(fields) == (kind.is_input and name != "group")
    initial = kind.to_initial(spec, None)
    assert isinstance(initial, dict)
    assert isinstance(kind.display(spec, None), str)
    assert kind.export_cell(spec, None) in ("", None) or isinstance(kind.export_cell(spec, None), str)
    assert isinstance(kind.check(spec), list)
    if kind.roles:
        assert "role" in block.child_blocks or "meaning" in block.child_blocks


def test_the_builder_lists_and_the_sets_come_from_the_registry():
    assert [name for name, _block in field_blocks()] == list(FIELD_TYPES)
    assert [name for name, _block in item_field_blocks()] == [n for n, kind in FIELD_TYPES.items() if kind.in_group]
    assert list(StepBlock().child_blocks["fields"].child_blocks) == list(FIELD_TYPES)
    assert kinds_where("correctable").isdisjoint({"info", "prefill", "rules", "group"})
    assert not kinds_where("exported") & {"info", "prefill"}
    assert {"rules", "prefill"} == set(FIELD_TYPES) - kinds_where("cacheable")


def test_a_new_kind_is_one_class():
    @register
    class CouncilTaxNumber(FieldType):
        name = "council_tax_number_test"
        label = "Numéro fiscal"

    try:
        spec = sample_spec("council_tax_number_test")
        assert dict(field_blocks())["council_tax_number_test"].meta.label == "Numéro fiscal"
        assert "council_tax_number_test" in dict(item_field_blocks())
        assert "council_tax_number_test" in kinds_where("correctable") & kinds_where("renewed")
        assert field_type(spec).form_fields(spec, SETTINGS)["champ"].label == "Champ"
    finally:
        del FIELD_TYPES["council_tax_number_test"]


def test_numbers_and_dates_stay_typed_in_exports():
    assert FIELD_TYPES["integer"].export_cell(sample_spec("integer"), "12") == 12
    assert str(FIELD_TYPES["decimal"].export_cell(sample_spec("decimal"), "12.50")) == "12.50"
    today = datetime.date.today()
    assert FIELD_TYPES["date"].export_cell(sample_spec("date"), today.isoformat()) == today
    assert FIELD_TYPES["date"].export_cell(sample_spec("date"), "pas une date") == ""
