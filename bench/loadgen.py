"""A small HTTP/1.1 load generator on raw asyncio streams, run as its own process (``python -m bench.loadgen``).

Reads a JSON spec on stdin and writes one JSON result on stdout. Bounded in requests and in time. Keeps
connections alive when the server allows it and reconnects when it closes them (gunicorn's sync workers
answer ``Connection: close``). Each request of the spec is sent once (``"cycle": false``, e.g. one submit
per family session) or round-robin (``"cycle": true``).

Spec: ``{"host", "port", "concurrency", "duration", "max_requests", "cycle", "requests": [{"method", "path",
"headers": {...}, "body": "..."}], "expect_status": [200], "expect_location": "substring or null"}``.
"""

import asyncio
import json
import resource
import sys
import time


def _raw_request(spec: dict, host: str) -> bytes:
    body = (spec.get("body") or "").encode()
    headers = {"Host": host, "User-Agent": "portail-bench", "Connection": "keep-alive", **spec.get("headers", {})}
    if body or spec.get("method", "GET") == "POST":
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        headers["Content-Length"] = str(len(body))
    head = f"{spec.get('method', 'GET')} {spec['path']} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], int, bool]:
    """(status, headers, body size, keep-alive) of one response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    keep = headers.get("connection", "").lower() != "close"
    size = 0
    if "content-length" in headers:
        size = int(headers["content-length"])
        await reader.readexactly(size)
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            chunk_head = await reader.readuntil(b"\r\n")
            length = int(chunk_head.split(b";")[0].strip(), 16)
            await reader.readexactly(length + 2)
            size += length
            if length == 0:
                break
    elif status not in (204, 304) and not (100 <= status < 200):
        size = len(await reader.read())
        keep = False
    return status, headers, size, keep


async def run(spec: dict) -> dict:
    host, port = spec["host"], int(spec["port"])
    host_header = spec.get("host_header", "localhost")
    raws = [_raw_request(request, host_header) for request in spec["requests"]]
    cycle = spec.get("cycle", True)
    max_requests = int(spec.get("max_requests", 10**9))
    duration = float(spec.get("duration", 5.0))
    expect_status = set(spec.get("expect_status") or [200])
    expect_location = spec.get("expect_location")
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    state = {"next": 0, "errors": 0, "unexpected": 0, "connects": 0, "bytes": 0}
    started = time.perf_counter()
    deadline = started + duration

    def take() -> bytes | None:
        index = state["next"]
        if index >= max_requests or time.perf_counter() >= deadline or (not cycle and index >= len(raws)):
            return None
        state["next"] = index + 1
        return raws[index % len(raws)]

    async def worker() -> None:
        reader = writer = None
        while (raw := take()) is not None:
            begin = time.perf_counter()
            for attempt in range(2):
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port)
                        state["connects"] += 1
                    writer.write(raw)
                    status, headers, size, keep = await _read_response(reader)
                    break
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    if attempt == 1:
                        status = None
            if status is None:
                state["errors"] += 1
                continue
            latencies.append(time.perf_counter() - begin)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            state["bytes"] += size
            if status not in expect_status or (expect_location and expect_location not in headers.get("location", "")):
                state["unexpected"] += 1
            if not keep:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(worker() for _ in range(int(spec.get("concurrency", 8)))))
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    latencies.sort()

    def percentile(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 3)

    return {
        "tool": "asyncio",
        "requests": len(latencies),
        "errors": state["errors"],
        "unexpected": state["unexpected"],
        "statuses": statuses,
        "elapsed_s": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        "p50_ms": percentile(50),
        "p95_ms": percentile(95),
        "p99_ms": percentile(99),
        "connects": state["connects"],
        "bytes": state["bytes"],
        "client_cpu_share": round(cpu / elapsed, 3) if elapsed else None,
    }


def main() -> None:
    spec = json.load(sys.stdin)
    print(json.dumps(asyncio.run(run(spec))))


if __name__ == "__main__":
    main()
