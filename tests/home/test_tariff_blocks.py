"""The decree editor refuses a QF grid whose columns leave a kind of family without a column."""

from decimal import Decimal

import pytest
from wagtail.blocks.struct_block import StructBlockValidationError

from home.blocks import TrancheGridBlock


def grid_value(block, columns):
    return block.to_python(
        {
            "key": "alsh",
            "label": "ALSH",
            "unit": "day",
            "columns": columns,
            "tranches": [{"qf_min": 0, "qf_max": None, "price": Decimal("2"), "other_prices": [Decimal("3")]}],
        }
    )


def test_each_case_must_be_ticked_in_exactly_one_column():
    block = TrancheGridBlock()
    unmapped = grid_value(
        block,
        [
            {"key": "caf", "label": "CAF", "applies_to": ["caf"]},
            {"key": "autres", "label": "Autres", "applies_to": ["non_allocataire", "no_proof"]},
        ],
    )
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(unmapped)
    assert "Allocataires MSA" in str(error.value.block_errors["columns"])
    mapped = grid_value(
        block,
        [
            {"key": "caf", "label": "CAF", "applies_to": ["caf"]},
            {"key": "autres", "label": "Autres", "applies_to": ["msa", "non_allocataire", "no_proof"]},
        ],
    )
    rule = block.to_rule(block.clean(mapped))
    assert [c.applies_to for c in rule.columns] == [("caf",), ("msa", "non_allocataire", "no_proof")]
