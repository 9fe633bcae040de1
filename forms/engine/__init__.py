"""The form engine: a form's definition, its field kinds, conditions and step forms (imports no other part of forms)."""
