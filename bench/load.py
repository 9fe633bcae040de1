"""Drive load from a separate process: ``wrk`` when installed (GET scenarios), else ``bench.loadgen``.

Both return the same summary: requests, rps, p50/p95/p99 in ms, errors, unexpected statuses.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WRK_REPORT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH-JSON {"requests": %d, "duration_us": %d, "errors": %d, "non_2xx_3xx": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(*, port: int, path: str, headers: dict[str, str], duration: float, concurrency: int) -> dict:
    """One timed GET run with wrk (one thread: the server has two workers on two cores)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    command = [
        "wrk",
        "-t1",
        f"-c{concurrency}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
    ]
    for name, value in {"Host": "localhost", **headers}.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    try:
        output = subprocess.run(  # noqa: S603 (wrk with our own arguments)
            command, capture_output=True, text=True, timeout=duration + 30, check=True
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next(line for line in output.splitlines() if line.startswith("BENCH-JSON "))
    raw = json.loads(line.removeprefix("BENCH-JSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "tool": "wrk",
        "requests": raw["requests"],
        "errors": raw["errors"],
        "unexpected": raw["non_2xx_3xx"],
        "elapsed_s": round(seconds, 3),
        "rps": round(raw["requests"] / seconds, 2) if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
    }


def run_loadgen(spec: dict) -> dict:
    """One run of the asyncio client in its own process (see ``bench.loadgen``)."""
    timeout = float(spec.get("duration", 5)) + 60
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(done.stdout)


def get_load(
    *, port: int, path: str, headers: dict[str, str], duration: float, concurrency: int, max_requests: int, tool: str
) -> dict:
    """A bounded GET run of ``path`` with the chosen tool ("wrk" or "asyncio")."""
    if tool == "wrk":
        return run_wrk(port=port, path=path, headers=headers, duration=duration, concurrency=concurrency)
    return run_loadgen(
        {
            "host": "127.0.0.1",
            "port": port,
            "concurrency": concurrency,
            "duration": duration,
            "max_requests": max_requests,
            "cycle": True,
            "requests": [{"method": "GET", "path": path, "headers": headers}],
            "expect_status": [200],
        }
    )
