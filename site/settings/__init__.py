"""Settings split by use: ``base`` (shared), ``dev``, ``test`` and ``production``.

Everything that differs between installations comes from environment variables; see README.md.
"""
