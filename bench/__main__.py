"""``python -m bench [--quick] [--figures 1,2,...]``: the benchmark of issue 8, in one command.

Also ``python -m bench generate --count N``: a database ``portail_bench`` with N generated dossiers, kept.
"""

import argparse
import datetime
import json
import platform
import sys
import time
import traceback

import manage  # noqa: F401  (the import bootstrap shared by every entry point: ``site`` is our folder)

from .environment import PROJECT_DIR, BenchEnvironment
from .load import wrk_available

RESULTS_DIR = PROJECT_DIR / "bench" / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="run", choices=["run", "generate"])
    parser.add_argument("--quick", action="store_true", help="smoke mode: tiny counts, one repetition")
    parser.add_argument("--figures", default="1,2,3,4,5", help="comma-separated figure numbers")
    parser.add_argument("--reps", type=int, help="repetitions (default 3, 1 in quick mode)")
    parser.add_argument("--tool", choices=["auto", "wrk", "asyncio"], default="auto", help="load tool for GETs")
    parser.add_argument("--keep-db", action="store_true", help="keep the database portail_bench afterwards")
    parser.add_argument("--count", type=int, default=100_000, help="generate: how many dossiers")
    parser.add_argument("--output", help="results file (default bench/results/<date>.json)")
    return parser.parse_args(argv)


def format_value(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_table(rows: list[dict]) -> None:
    header = ["fig", "what", "ours", "reference", "unit", "ratio", "target", "result"]
    lines = []
    for r in rows:
        result = {True: "pass", False: "FAIL", None: "-"}[r["pass"]]
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        lines.append(
            [
                r["figure"],
                r["what"],
                format_value(r["ours"]),
                format_value(r["reference"]),
                r["unit"],
                ratio,
                r["target"] or "-",
                result,
            ]
        )
    widths = [min(max(len(str(line[i])) for line in [header, *lines]), 70) for i in range(len(header))]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)))
    for r in rows:
        if r.get("note"):
            print(f"  [{r['figure']}] {r['what']}: {r['note']}")


def run(args: argparse.Namespace) -> int:
    from . import figures
    from .fixtures import NotAvailable, bench_forms

    wanted = [int(n) for n in args.figures.split(",") if n.strip()]
    reps = args.reps or (1 if args.quick else 3)
    tool = args.tool if args.tool != "auto" else ("wrk" if wrk_available() else "asyncio")
    started = time.perf_counter()
    rows: list[dict] = []
    crashed = False
    result = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "quick": args.quick,
        "reps": reps,
        "load_tool": tool,
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
    }
    with BenchEnvironment(keep_db=args.keep_db) as env:
        print(f"Setting up the database {env.database} (migrate, demo, static files)...", flush=True)
        env.setup_django()
        try:
            forms = bench_forms()
        except NotAvailable as missing:
            forms = None
            rows.append(figures.row("*", "form pages of the benchmark", f"n/a ({missing})", None))
        master, port = env.start_gunicorn(workers=2)
        env.start_worker()
        print(
            f"gunicorn (2 workers, production settings + bench) and the tasks worker on 127.0.0.1:{port}; "
            f"load tool: {tool}",
            flush=True,
        )
        context = figures.Context(
            env=env, master=master, port=port, forms=forms, quick=args.quick, tool=tool, reps=reps
        )
        for number in wanted:
            print(f"Figure {number}...", flush=True)
            figure_started = time.perf_counter()
            try:
                if forms is None and number in (1, 2, 4):
                    raise NotAvailable("no form pages")
                rows += figures.FIGURES[number](context)
            except NotAvailable as missing:
                rows.append(figures.row(str(number), "figure", f"n/a ({missing})", None))
            except Exception as error:
                crashed = True
                traceback.print_exc()
                rows.append(figures.row(str(number), "figure", f"error ({type(error).__name__}: {error})", None))
            print(f"  done in {time.perf_counter() - figure_started:.1f} s", flush=True)
        result.update(redis=env.redis, notes=env.notes + (forms.notes if forms else []), details=context.details)
    result["rows"] = rows
    result["duration_s"] = round(time.perf_counter() - started, 1)
    output = args.output or RESULTS_DIR / f"{datetime.date.today().isoformat()}.json"
    with open(output, "w") as handle:
        json.dump(result, handle, indent=1, default=str)
    print()
    print_table(rows)
    for note in result["notes"]:
        print(f"  note: {note}")
    print(f"\nResults written to {output} ({result['duration_s']} s).")
    return 1 if crashed else 0


def generate(args: argparse.Namespace) -> int:
    from .fixtures import bench_forms
    from .generate import generate_dossiers

    with BenchEnvironment(keep_db=True) as env:
        env.setup_django()
        forms = bench_forms()
        started = time.perf_counter()
        generate_dossiers(count=args.count, forms=[forms.form_20, forms.form_10, forms.form_60])
        print(f"{args.count} dossiers in {time.perf_counter() - started:.1f} s, database {env.database} kept.")
    return 0


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sys.exit(generate(args) if args.command == "generate" else run(args))


if __name__ == "__main__":
    main()
