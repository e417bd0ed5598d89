#!/usr/bin/env python3
"""Deterministic instruction counts for every benchmark case, under callgrind.

Builds `benches/instructions.rs` (bench profile: LTO, one codegen unit, as
`cargo bench` builds), runs each case of `benches/cases.rs` under
`valgrind --tool=callgrind`, counting only the measured loop, and reports
instructions and heap allocations per unit of work (one evaluation, one
compile, one record), with ratios.

Usage:
  python3 benches/callgrind.py                      # every case; tables on stdout
  python3 benches/callgrind.py --only w2 w7         # groups whose name contains w2 or w7
  python3 benches/callgrind.py --out FILE.json      # also keep the raw figures
  python3 benches/callgrind.py --baseline benches/callgrind-before.json
                                                    # adds before/after columns
  python3 benches/callgrind.py --time w2_upn_generation [--write-docs]
                                                    # wall-time ratios, engines interleaved
  python3 benches/callgrind.py --from FILE.json --write-docs
                                                    # regenerates the tables in
                                                    # README.md and docs/performance.md

Instruction counts do not depend on the machine's load; they do depend on
the compiler version and the CPU's instruction set (x86-64 here), so the
ratios are the figures to compare across machines.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TITLES = {
    "w1_role_derivation": "1. Role derivation (DiliTrust roleId, 20-way Switch)",
    "w2_upn_generation": "2. UPN generation",
    "w3_hr_date_logic": "3. HR date logic (Switch, IIF, DateDiff, CDate)",
    "w4_regex_cleanup": "4. Regex cleanup (Replace)",
    "w5_whole_mapping": "5. Whole mapping (DiliTrust, 6 attributes → SCIM JSON)",
    "w6_compile": "6. Compile (parse, check, generate code)",
    "w7_end_to_end": "7. End to end: 10 000 users → SCIM JSON lines (per record)",
    "w8_samaccountname": "8. Workday sAMAccountName (SelectUniqueValue, Replace, Mid, NormalizeDiacritics)",
    "w9_workday_date": "9. Workday hire date (FormatDateTime)",
    "w10_hr_status": "10. HR status (nested IIF)",
}
ENGINES = {
    "attrmap_vm": "attrmap VM (serde_json::Value user)",
    "attrmap_vm_flat": "attrmap VM (FlatRecord user)",
    "attrmap_vm_hashmap": "attrmap VM (HashMap<String, String> user)",
    "attrmap_vm_read_attrs": "attrmap VM (serde_json::Value user of the attributes read, as cel's context)",
    "attrmap_mapping": "attrmap mapping builder (compile_object + map_ref → JSON)",
    "attrmap_ast": "attrmap AST evaluator (serde_json::Value user)",
    "cel": "cel 0.15",
    "evalexpr": "evalexpr 13",
    "handwritten": "hand-written Rust (the floor)",
    "serde_json_parse_only": "serde_json parse only (to serde_json::Value)",
    "attrmap_map": "attrmap map: JSONL (library stream entry point)",
    "attrmap_map_graph": "attrmap map: Graph response pages (--source graph)",
    "attrmap_ast_json": "expression API: serde_json::Value + AST evaluator + hand-written SCIM writer",
    "attrmap_2kb": "attrmap: 2 KB real-world expression",
    "attrmap_w1_switch": "attrmap: workload 1 Switch (1.1 KB)",
    "attrmap_w2_upn": "attrmap: workload 2 expression",
    "attrmap_w3_hr_date": "attrmap: workload 3 expression",
    "attrmap_2kb_parse_only": "… 2 KB: parsing (pest) alone",
    "attrmap_2kb_codegen_only": "… 2 KB: code generation alone",
    "cel_w1_switch": "cel 0.15: workload 1 logic",
    "evalexpr_w1_switch": "evalexpr 13: workload 1 logic",
}
# In group 7 the expression-API rows have their own names.
W7_ENGINES = {
    "attrmap_vm_flat": "expression API: FlatRecord + VM + hand-written SCIM writer",
    "attrmap_vm_json": "expression API: serde_json::Value + VM + hand-written SCIM writer",
    "handwritten": "hand-written mapper (serde derive of the 6 attributes read, direct writer)",
}
REPRODUCE = "python3 benches/callgrind.py --out target/callgrind.json"


def build():
    cmd = ["cargo", "bench", "-p", "attrmap-benches", "--bench", "instructions",
           "--no-run", "--message-format=json"]
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "instructions" \
                and msg.get("executable"):
            return msg["executable"]
    sys.exit("callgrind.py: cargo built no `instructions` executable")


def count(exe, group, engine, calls):
    with tempfile.NamedTemporaryFile(suffix=".callgrind") as f:
        res = subprocess.run(
            ["valgrind", "--tool=callgrind", "--toggle-collect=attrmap_measured_loop",
             f"--callgrind-out-file={f.name}", exe, group, engine, str(calls)],
            check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        text = open(f.name).read()
    m = re.search(r"^summary:\s*(\d+)", text, re.M) or re.search(r"^totals:\s*(\d+)", text, re.M)
    if not m:
        sys.exit(f"callgrind.py: no instruction total for {group}/{engine}")
    info = json.loads(res.stdout.strip().splitlines()[-1])
    return {
        "instructions": int(m.group(1)) / info["units"],
        "allocations": info["allocations"] / info["units"],
    }


def measure(only, exe=None, commit=None, jobs=1, reuse=None):
    exe = exe or build()
    listing = subprocess.run([exe, "--list"], check=True, stdout=subprocess.PIPE, text=True).stdout
    todo = []
    for line in listing.splitlines():
        group, engine, calls = line.split()
        if only and not any(o in group for o in only):
            continue
        todo.append((group, engine, int(calls)))
    reused = set()
    if reuse:
        # Competitors' and hand-written code does not change with attrmap's:
        # their counts can be taken from an earlier report.
        for group, engine, _ in todo:
            r = reuse["groups"].get(group, {}).get(engine)
            if r and not engine.startswith("attrmap"):
                reused.add((group, engine))

    def one(item):
        group, engine, calls = item
        if (group, engine) in reused:
            return item, reuse["groups"][group][engine]
        r = count(exe, group, engine, calls)
        print(f"{group:22} {engine:28} {r['instructions']:>14,.0f} instructions "
              f"{r['allocations']:>8.2f} allocations", file=sys.stderr)
        return item, r

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        done = list(pool.map(one, todo))
    results = {}
    for (group, engine, _), r in done:
        results.setdefault(group, {})[engine] = r
    rustc = subprocess.run(["rustc", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    commit = commit or subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                      stdout=subprocess.PIPE, text=True).stdout.strip()
    return {
        "date": datetime.date.today().isoformat(),
        "commit": commit,
        "rustc": rustc,
        "valgrind": subprocess.run(["valgrind", "--version"], stdout=subprocess.PIPE,
                                   text=True).stdout.strip(),
        "groups": results,
        "reused_from_earlier_report": sorted(f"{g}/{e}" for g, e in reused),
    }


def fmt_count(n):
    return f"{n:,.0f}".replace(",", " ")


def fmt_allocs(n):
    return "0" if n == 0 else f"{n:.2f}"


def get(report, group, engine):
    return report["groups"].get(group, {}).get(engine, {}).get("instructions")


def tables(report, baseline):
    out = []
    for group, title in TITLES.items():
        rows = report["groups"].get(group)
        if not rows:
            continue
        unit = {"w6_compile": "compile", "w7_end_to_end": "record"}.get(group, "evaluation")
        ref_engine = "attrmap_map" if group == "w7_end_to_end" else (
            "attrmap_2kb" if group == "w6_compile" else "attrmap_vm")
        ref = rows.get(ref_engine, {}).get("instructions")
        out.append(f"#### {title}\n")
        head = f"| engine | instructions per {unit} | ÷ {ENGINES[ref_engine].split(' (')[0]} | heap allocations per {unit} |"
        sep = "|---|---:|---:|---:|"
        if baseline:
            head += " before issue 17 | change |"
            sep += "---:|---:|"
        out.append(head)
        out.append(sep)
        for engine, r in rows.items():
            label = (W7_ENGINES.get(engine) if group == "w7_end_to_end" else None) or ENGINES.get(engine, engine)
            n = r["instructions"]
            line = f"| {label} | {fmt_count(n)} | {n / ref:.2f}× | {fmt_allocs(r['allocations'])} |"
            if baseline:
                before = get(baseline, group, engine)
                if before and engine.startswith("attrmap"):
                    line += f" {fmt_count(before)} | {100 * (n - before) / before:+.0f}% |"
                elif before:
                    line += f" {fmt_count(before)} | — |"
                else:
                    line += " — | new |"
            out.append(line)
        out.append("")
    return "\n".join(out)


def targets(report):
    g = lambda group, engine: get(report, group, engine)
    alloc = lambda group, engine: report["groups"].get(group, {}).get(engine, {}).get("allocations")
    rows = []

    def add(name, value, ok):
        rows.append((name, value, ok))

    vm, cel, hand = g("w2_upn_generation", "attrmap_vm"), g("w2_upn_generation", "cel"), \
        g("w2_upn_generation", "handwritten")
    if vm and cel:
        add("W2 ≥ 2× fewer instructions than cel", f"{cel / vm:.2f}×", cel / vm >= 2)
    if vm and hand:
        add("W2 within 8× of hand-written Rust (instructions)", f"{vm / hand:.2f}×", vm / hand <= 8)
    a = alloc("w2_upn_generation", "attrmap_vm")
    if a is not None:
        add("W2 ≤ 2 heap allocations per evaluation", fmt_allocs(a), a <= 2)
    vm1, cel1 = g("w1_role_derivation", "attrmap_vm"), g("w1_role_derivation", "cel")
    if vm1 and cel1:
        add("W1 ≥ 10× fewer instructions than cel", f"{cel1 / vm1:.1f}×", cel1 / vm1 >= 10)
    a = alloc("w1_role_derivation", "attrmap_vm")
    if a is not None:
        add("W1 allocates nothing", fmt_allocs(a), a == 0)
    hm = g("w1_role_derivation", "attrmap_vm_hashmap")
    if vm1 and hm:
        add("W1 on HashMap<String, String> users (÷ serde_json::Value users; reported)",
            f"{hm / vm1:.2f}×", None)
    parse, mapped = g("w7_end_to_end", "serde_json_parse_only"), g("w7_end_to_end", "attrmap_map")
    graph = g("w7_end_to_end", "attrmap_map_graph")
    if parse and mapped:
        add("`attrmap map` ≥ 1.5× serde_json parse-only throughput (instructions per record)",
            f"{parse / mapped:.2f}×", parse / mapped >= 1.5)
    if graph and mapped:
        add("Graph pages ≥ 70% of JSONL throughput through `attrmap map` (instructions per record)",
            f"{100 * mapped / graph:.0f}%", mapped / graph >= 0.7)
    out = ["| target | measured | met |", "|---|---:|:---:|"]
    for name, value, ok in rows:
        out.append(f"| {name} | {value} | {'—' if ok is None else ('yes' if ok else '**no**')} |")
    return "\n".join(out) + "\n"


def headline(report):
    """The README's table: one line per workload, instructions per unit for
    each engine, as multiples of attrmap's VM."""
    cols = [("attrmap_vm", "attrmap VM"), ("attrmap_ast", "attrmap AST"), ("cel", "cel"),
            ("evalexpr", "evalexpr"), ("handwritten", "hand-written Rust")]
    out = ["| Workload | " + " | ".join(c for _, c in cols) + " |",
           "|---|" + "---:|" * len(cols)]
    for group, title in TITLES.items():
        rows = report["groups"].get(group)
        if not rows or group in ("w6_compile", "w7_end_to_end"):
            continue
        vm = rows.get("attrmap_vm", {}).get("instructions")
        cells = []
        for engine, _ in cols:
            n = rows.get(engine, {}).get("instructions")
            if n is None:
                cells.append("—")
            elif engine == "attrmap_vm":
                cells.append(f"{fmt_count(n)} instr. (1×)")
            else:
                cells.append(f"{n / vm:.2f}×")
        out.append(f"| {title} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def provenance(report):
    reused = report.get("reused_from_earlier_report")
    note = (" The rows of engines other than attrmap (cel, evalexpr, hand-written Rust, serde_json) "
            "are from the before-issue-17 run: their code is the same." if reused else "")
    return (f"Callgrind instruction counts at commit {report['commit']} ({report['date']}; "
            f"{report['rustc']}, {report['valgrind']}, bench profile). Reproduce: "
            f"`{REPRODUCE}`; `python3 benches/callgrind.py --from target/callgrind.json "
            f"--write-docs` rewrites these tables.{note}\n")


def replace_block(path, name, body, kind="callgrind"):
    text = open(path).read()
    if kind != "callgrind":
        name = name.split(": ", 1)[1]
    begin, end = f"<!-- BEGIN {kind}: {name} -->", f"<!-- END {kind}: {name} -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        sys.exit(f"callgrind.py: {path} has no {begin} … {end} block")
    text = pattern.sub(lambda _: f"{begin}\n{body}{end}", text)
    open(path, "w").write(text)


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} vCPUs, {model}"


def load():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"


def wall(group, exe, write_docs):
    exe = exe or build()
    before = load()
    out = subprocess.run([exe, "--time", group], check=True, stdout=subprocess.PIPE, text=True).stdout
    after = load()
    rows = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    unit = "record" if group == "w7_end_to_end" else "evaluation"
    ref = "attrmap map" if group == "w7_end_to_end" else "attrmap VM"
    lines = [f"{TITLES.get(group, group)}: {rows[0]['rounds'] if rows else 0} interleaved rounds on "
             f"{machine()}, load average {before} before and {after} after "
             f"({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC). Reproduce: "
             f"`python3 benches/callgrind.py --time {group}`.\n",
             f"| engine | median time per {unit} (this run) | ÷ {ref} |", "|---|---:|---:|"]
    for r in rows:
        lines.append(f"| {ENGINES.get(r['engine'], r['engine'])} | {r['ns_per_unit']:,.0f} ns | "
                     f"{r['ratio_to_attrmap']:.2f}× |")
    body = "\n".join(lines) + "\n"
    if write_docs:
        replace_block(os.path.join(ROOT, "docs", "performance.md"), f"wall: {group.split('_')[0]}", body,
                      kind="wall")
    print(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--exe", help="an already built instructions binary (skips the build)")
    ap.add_argument("--commit", help="the commit --exe was built from (default: HEAD)")
    ap.add_argument("--jobs", type=int, default=1, help="callgrind runs at once")
    ap.add_argument("--reuse-competitors", metavar="FILE",
                    help="take the non-attrmap rows (cel, evalexpr, hand-written, serde_json) from an earlier report")
    ap.add_argument("--out")
    ap.add_argument("--from", dest="from_file")
    ap.add_argument("--baseline", default=None)
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--time", metavar="GROUP")
    args = ap.parse_args()
    if args.time:
        wall(args.time, args.exe, args.write_docs)
        return
    if args.from_file:
        report = json.load(open(args.from_file))
    else:
        report = measure(args.only, args.exe, args.commit, args.jobs,
                         json.load(open(args.reuse_competitors)) if args.reuse_competitors else None)
        if args.out:
            with open(args.out, "w") as f:
                json.dump(report, f, indent=1)
                f.write("\n")
    baseline_path = args.baseline
    if baseline_path is None and args.write_docs:
        baseline_path = os.path.join(ROOT, "benches", "callgrind-before.json")
    baseline = json.load(open(baseline_path)) if baseline_path else None
    full = provenance(report) + "\n" + tables(report, baseline) + "\n" + targets(report)
    if args.write_docs:
        replace_block(os.path.join(ROOT, "docs", "performance.md"), "tables", full)
        replace_block(os.path.join(ROOT, "README.md"), "headline",
                      provenance(report) + "\n" + headline(report) + "\n" + targets(report))
    else:
        print(full)


if __name__ == "__main__":
    main()
