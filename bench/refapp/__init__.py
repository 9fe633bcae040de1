"""The bare Wagtail reference: a plain ``AbstractEmailForm`` page (installed by ``bench.settings`` only)."""
