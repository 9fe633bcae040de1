"""A local API Particulier for development, the demo and integration tests (standard library only).

Run it beside the portal: ``python -m connectors.api_particulier.simulator --host 127.0.0.1 --port 8001``.
In tests: ``server, base_url = start_simulator(port=0)`` ... ``server.stop()``.
Demo tokens and families: ``cases.py`` (and README.md in this folder).
"""

from .server import SimulatorServer, start_simulator

__all__ = ["SimulatorServer", "start_simulator"]
