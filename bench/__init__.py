"""The benchmark of issue 8: speed and scale of the portal, each figure a ratio against a reference
measured in the same run. Run it from the repository root: ``.venv/bin/python -m bench [--quick]``.
"""
