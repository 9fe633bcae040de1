"""API Particulier, the Django-free part: scopes, identity, errors, rate limiting, HTTP client, simulator.

Nothing in this package imports Django, so that the client and the simulator run anywhere (tests,
scripts, the simulator's own process). ``client`` is the only module of the project that imports httpx.
The Django glue (authorisations, consent, audit log, cache-backed rate limit) lives one level up.
"""
