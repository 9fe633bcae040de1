"""``python -m connectors.api_particulier.simulator [--host H] [--port P] [switches]``."""

import argparse
import logging
import os

from .cases import DEMO_FAMILIES, DEMO_TOKENS
from .server import FAIL_MODES, SimulatorServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local API Particulier simulator (v3 QF, introspect, pings).")
    parser.add_argument("--host", default=os.environ.get("SIMULATOR_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SIMULATOR_PORT", "8001")))
    parser.add_argument("--latency-ms", type=int, default=int(os.environ.get("SIMULATOR_LATENCY_MS", "0")))
    parser.add_argument("--fail", choices=sorted(FAIL_MODES), default=os.environ.get("SIMULATOR_FAIL") or None)
    parser.add_argument("--rate-limit", type=int, default=int(os.environ.get("SIMULATOR_RATE_LIMIT", "20")))
    parser.add_argument("--no-mask", action="store_true", help="answer every block, as staging does")
    parser.add_argument("--verbose", action="store_true", help="log each request's method and path")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    server = SimulatorServer(
        (args.host, args.port),
        latency_ms=args.latency_ms,
        fail=args.fail,
        rate_limit=args.rate_limit,
        mask=not args.no_mask,
    )
    print(f"API Particulier simulator on {server.base_url} (switches: POST {server.base_url}/__simulator__/config)")
    print("Tokens: " + ", ".join(DEMO_TOKENS))
    print("Families: " + ", ".join(f"{f.holder.nom_naissance} {f.first_names[0]} ({f.key})" for f in DEMO_FAMILIES))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
