"""Benchmark: the register pipeline on the Mestro example, against plain YAML parsing.

What a person waits for: `skydd register check` (parse + validate + lint), `skydd policy
render`, and the Art. 30 export. The reference, measured in the same run, is ruamel's
round-trip loader parsing the same YAML files and nothing else: the loader skydd used
before it moved to libyaml's node composer, which keeps line numbers at C speed.

Run from the repository root: .venv/bin/python -m bench.register_pipeline [--runs N]
Writes bench/results/register_pipeline.json and the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
from collections.abc import Callable
from pathlib import Path

from bench.timing import median_ms
from ruamel.yaml import YAML

from skydd.documents.policy_rendering import PolicyRendering
from skydd.documents.ropa_export import RopaFormat, export_ropa
from skydd.domain.compliance import lint_register
from skydd.storage.register_files import load_register, register_files

ROOT = Path(__file__).resolve().parent.parent
MESTRO = ROOT / "examples" / "mestro"
RESULTS = ROOT / "bench" / "results" / "register_pipeline.json"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- register_pipeline:begin -->", "<!-- register_pipeline:end -->"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    files = register_files(MESTRO)
    register = load_register(MESTRO)
    renderer = PolicyRendering()
    cases: dict[str, Callable[[], object]] = {
        "reference: ruamel (round-trip) parses the YAML files": lambda: [
            YAML(typ="rt").load(f.read_text(encoding="utf-8")) for f in files
        ],
        "load_register (parse + validate + references)": lambda: load_register(MESTRO),
        "lint_register (46 rules)": lambda: lint_register(register),
        "render policy, sv, html": lambda: renderer.render(register, "sv", "html"),
        "render policy, sv, markdown": lambda: renderer.render(register, "sv", "markdown"),
        "ROPA export, xlsx": lambda: export_ropa(register, RopaFormat.XLSX, "sv"),
    }
    results = {name: round(median_ms(action, runs), 3) for name, action in cases.items()}
    reference = results["reference: ruamel (round-trip) parses the YAML files"]
    payload = {
        "benchmark": "register_pipeline",
        "date": dt.datetime.now(dt.UTC).date().isoformat(),  # noqa: TID251 - wall clock of the run
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "runs": runs,
        "statistic": "median wall time, ms",
        "register": "examples/mestro",
        "results_ms": results,
        "relative_to_reference": {k: round(v / reference, 2) for k, v in results.items()},
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    rows = "\n".join(
        f"| {name} | {ms:.2f} | {ms / reference:.2f}× |" for name, ms in results.items()
    )
    table = (
        f"{BEGIN}\n### register_pipeline ({payload['date']}, {payload['machine']}, "
        f"median of {runs} runs)\n\n| step | ms | × reference |\n|---|---|---|\n{rows}\n{END}"
    )
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + table + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + table + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
