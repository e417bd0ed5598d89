#!/usr/bin/env python3
"""Turns one `cargo bench --bench engines` run (target/criterion) into the
Markdown tables of docs/performance.md, and checks the targets of issue 7.

Usage: python3 benches/report.py [target/criterion]

Figures are criterion's median estimates (robust on a shared machine).
"""
import json
import math
import os
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")

WORKLOADS = [
    ("w1_role_derivation", "1. Role derivation (DiliTrust roleId, 20-way Switch)"),
    ("w2_upn_generation", "2. UPN generation"),
    ("w3_hr_date_logic", "3. HR date logic"),
    ("w4_regex_cleanup", "4. Regex cleanup"),
    ("w5_whole_mapping", "5. Whole mapping (DiliTrust, 6 attributes → SCIM JSON)"),
]
ENGINES = [
    ("attrmap_vm", "attrmap VM (serde_json::Value user)"),
    ("attrmap_vm_flat", "attrmap VM (FlatRecord user)"),
    ("attrmap_mapping", "attrmap mapping builder (compile_object + map_ref → JSON, FlatRecord user)"),
    ("attrmap_ast", "attrmap AST evaluator (serde_json::Value user)"),
    ("cel", "cel 0.15"),
    ("evalexpr", "evalexpr 13"),
]


def median_ns(group, bench):
    path = os.path.join(ROOT, group, bench, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None


def throughput_bytes(group, bench):
    path = os.path.join(ROOT, group, bench, "new", "benchmark.json")
    try:
        with open(path) as f:
            return json.load(f)["throughput"]["Bytes"]
    except (OSError, KeyError, ValueError, TypeError):
        return None


# Engines that cannot express a workload's logic (see docs/performance.md).
CANNOT = {
    ("w4_regex_cleanup", "cel"): "cannot express (no regex replacement)",
    ("w5_whole_mapping", "evalexpr"): "cannot express (no objects)",
}


def fmt_ns(ns, missing="not measured"):
    if ns is None:
        return missing
    if ns >= 10_000:
        return f"{ns / 1000:,.1f} µs"
    if ns >= 1_000:
        return f"{ns / 1000:,.2f} µs"
    return f"{ns:,.1f} ns"


out = []
ratios_ast_vm = []
targets = []

for group, title in WORKLOADS:
    vm = median_ns(group, "attrmap_vm")
    out.append(f"### {title}\n")
    out.append("| engine | time per evaluation | ÷ attrmap VM |")
    out.append("|---|---:|---:|")
    for key, label in ENGINES:
        if key == "attrmap_mapping" and group != "w5_whole_mapping":
            continue
        ns = median_ns(group, key)
        ratio = f"{ns / vm:.2f}×" if ns and vm else "—"
        missing = CANNOT.get((group, key), "not measured")
        out.append(f"| {label} | {fmt_ns(ns, missing)} | {ratio} |")
    out.append("")
    ast = median_ns(group, "attrmap_ast")
    if vm and ast:
        ratios_ast_vm.append((group, ast / vm))
    if group == "w1_role_derivation" and vm:
        flat = median_ns(group, "attrmap_vm_flat")
        cel = median_ns(group, "cel")
        ev = median_ns(group, "evalexpr")
        targets.append(("W1 VM ≤ 100 ns/eval (serde_json::Value user)", f"{vm:.1f} ns", vm <= 100))
        if flat:
            targets.append(("W1 VM ≤ 100 ns/eval (FlatRecord user)", f"{flat:.1f} ns", flat <= 100))
        if cel:
            targets.append(("W1 ≥ 10× faster than cel (serde_json::Value user)", f"{cel / vm:.1f}×", cel / vm >= 10))
            if flat:
                targets.append(("W1 ≥ 10× faster than cel (FlatRecord user)", f"{cel / flat:.1f}×", cel / flat >= 10))
        if ev:
            targets.append(("W1 ≥ 5× faster than evalexpr", f"{ev / vm:.0f}×", ev / vm >= 5))

# Workload 6: compile times.
out.append("### 6. Compile (parse, check, generate code)\n")
out.append("| input | time |")
out.append("|---|---:|")
for key, label in [
    ("attrmap_w2_upn", "attrmap: workload 2 expression (typical, 102 chars)"),
    ("attrmap_w3_hr_date", "attrmap: workload 3 expression (typical, 111 chars)"),
    ("attrmap_w1_switch", "attrmap: workload 1 Switch (1.1 KB)"),
    ("attrmap_2kb", "attrmap: 2 KB real-world expression"),
    ("attrmap_2kb_parse_only", "… of which parsing (pest) alone"),
    ("attrmap_2kb_codegen_only", "… of which code generation alone"),
    ("cel_w1_switch", "cel 0.15: workload 1 logic"),
    ("evalexpr_w1_switch", "evalexpr 13: workload 1 logic"),
]:
    out.append(f"| {label} | {fmt_ns(median_ns('w6_compile', key))} |")
out.append("")
typical = [t for t in (median_ns("w6_compile", "attrmap_w2_upn"),
                       median_ns("w6_compile", "attrmap_w3_hr_date")) if t]
if typical:
    worst = max(typical)
    targets.append(("W6 typical expression compiles in < 20 µs", f"{worst / 1000:.1f} µs (slowest typical)", worst < 20_000))

# Workload 7: throughput.
out.append("### 7. End to end over JSONL (10 000 users)\n")
out.append("| pipeline | throughput | % of serde_json parse-only |")
out.append("|---|---:|---:|")
base = None
rows = []
for key, label in [
    ("serde_json_parse_only", "serde_json parse only (to serde_json::Value), the floor"),
    ("attrmap_map", "attrmap map (library stream entry point: JSONL in, result lines out), 1 thread"),
    ("attrmap_map_2_threads", "attrmap map --jobs 2 (run_parallel: 2 workers, order kept)"),
    ("attrmap_vm_flat", "expression API: decode to FlatRecord + VM + hand-written SCIM JSON, 1 thread"),
    ("attrmap_vm_json", "expression API: parse to serde_json::Value + VM + hand-written SCIM JSON, 1 thread"),
    ("attrmap_ast_json", "expression API: same with the AST evaluator, 1 thread"),
]:
    ns = median_ns("w7_end_to_end", key)
    nbytes = throughput_bytes("w7_end_to_end", key)
    mbs = nbytes / ns * 1e9 / 1e6 if ns and nbytes else None
    if key == "serde_json_parse_only":
        base = mbs
    rows.append((key, label, mbs))
for key, label, mbs in rows:
    pct = f"{100 * mbs / base:.0f}%" if mbs and base else "—"
    out.append(f"| {label} | {f'{mbs:.0f} MB/s' if mbs else 'not measured'} | {pct} |")
out.append("")
flat = dict((k, m) for k, _, m in rows)
if base and flat.get("attrmap_map"):
    r = flat["attrmap_map"] / base
    targets.append(("W7 `attrmap map` ≥ 50% of serde_json parse-only (1 core)", f"{100 * r:.0f}%", r >= 0.5))
if flat.get("attrmap_map") and flat.get("attrmap_map_2_threads"):
    targets.append(("W7 2-thread speed-up (reported, no target)",
                    f"{flat['attrmap_map_2_threads'] / flat['attrmap_map']:.2f}×", None))

if ratios_ast_vm:
    gm = math.exp(sum(math.log(r) for _, r in ratios_ast_vm) / len(ratios_ast_vm))
    over = ", ".join(f"{g.split('_')[0]} {r:.2f}×" for g, r in ratios_ast_vm)
    targets.append((f"VM ≥ 1.5× AST, geometric mean over measured workloads ({over})", f"{gm:.2f}×", gm >= 1.5))

out.append("### Targets\n")
out.append("| target | measured | met |")
out.append("|---|---:|:---:|")
for name, value, ok in targets:
    mark = "—" if ok is None else ("yes" if ok else "**no**")
    out.append(f"| {name} | {value} | {mark} |")
print("\n".join(out))
