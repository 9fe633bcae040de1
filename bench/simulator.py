"""The connectors' API Particulier simulator, counting every answer by HTTP status for the benchmark.

``python -m bench.simulator --port N [--rate-limit 20] --counts FILE``: on SIGTERM writes
``{"429": n, "200": m, ...}`` to FILE (the simulator's own journal keeps only its last 500 entries).
"""

import argparse
import json
import signal
import sys
import threading
from collections import Counter

import manage  # noqa: F401  (import bootstrap shared by every entry point)
from connectors.api_particulier.simulator.server import SimulatorServer, SimulatorState

COUNTS: Counter = Counter()
_LOCK = threading.Lock()
_record = SimulatorState.record


def _counting_record(self, path, status, code):
    with _LOCK:
        COUNTS[str(status)] += 1
    return _record(self, path, status, code)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate-limit", type=int, default=20)
    parser.add_argument("--counts", required=True)
    args = parser.parse_args()
    SimulatorState.record = _counting_record
    server = SimulatorServer(("127.0.0.1", args.port), rate_limit=args.rate_limit)

    def stop(*_args) -> None:
        with open(args.counts, "w") as handle:
            json.dump(dict(COUNTS), handle)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()
    server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
