#!/usr/bin/python3
"""Runs the bad-input corpus (cases.json) against the hotspot binary.

Usage: run_corpus.py HOTSPOT_BINARY [CASE_NAME ...]   (run by ctest; needs python3-gdal)
Prints one line per case and a closing 'N passed, N failed' line; exits 1 on any failure.
Under a sanitizer build, any sanitizer report on stderr fails the case.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_files  # noqa: E402

HOTSPOT = os.path.abspath(sys.argv[1])
ONLY = set(sys.argv[2:])
CASES = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")))


def check_output(out, expect, problems):
    db = sqlite3.connect(out)
    db.text_factory = bytes
    counts = json.loads(db.execute("SELECT value FROM run_metadata WHERE key = 'counts'").fetchone()[0])
    tables = {r[0].decode() for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # aggregate writes every accepted incident; the analyses record the count in run_metadata.
    accepted = db.execute("SELECT count(*) FROM incidents").fetchone()[0] if "incidents" in tables else counts["accepted"]
    if accepted != counts["accepted"]:
        problems.append(f"incidents layer holds {accepted}, run_metadata says {counts['accepted']} accepted")
    rejected = {r[0].decode(): r[1] for r in db.execute("SELECT reason, count(*) FROM rejected_incidents GROUP BY reason")}
    if counts["read"] != accepted + sum(rejected.values()):
        problems.append(f"read {counts['read']} != accepted {accepted} + rejected {sum(rejected.values())}")
    if "read" in expect and counts["read"] != expect["read"]:
        problems.append(f"read {counts['read']}, expected {expect['read']}")
    if "accepted" in expect and accepted != expect["accepted"]:
        problems.append(f"accepted {accepted}, expected {expect['accepted']}")
    if rejected != expect.get("rejected", rejected if "accepted" not in expect else {}):
        problems.append(f"rejected {rejected}, expected {expect.get('rejected', {})}")
    if "commune_counts" in expect:
        got = {k.decode(): v for k, v in db.execute("SELECT commune_id, incidents FROM communes")}
        for k, v in expect["commune_counts"].items():
            if got.get(k) != v:
                problems.append(f"commune {k}: {got.get(k)} incidents, expected {v}")
    if "communes_fields" in expect:
        fields = [r[1].decode() for r in db.execute("PRAGMA table_info(communes)")]
        names = [n.lower() for n in fields]
        if len(set(names)) != len(names):
            problems.append(f"communes has duplicate field names: {fields}")
        missing = [f for f in expect["communes_fields"] if f not in fields]
        if missing:
            problems.append(f"communes lacks fields {missing} (has {fields})")
        meta = json.loads(db.execute("SELECT value FROM run_metadata WHERE key = 'parameters'").fetchone()[0])
        mapping = meta["category_fields"] if "category_fields" in meta else meta["aggregate"]["category_fields"]
        mapped = [m["field"] for m in mapping]
        if mapped != [f for f in fields if f.startswith("n_")]:
            problems.append(f"run_metadata category_fields {mapped} do not match the fields")
    if "outside_flagged" in expect:
        n = db.execute("SELECT count(*) FROM incidents WHERE outside_communes = 1 AND commune_id IS NULL").fetchone()[0]
        if n != expect["outside_flagged"]:
            problems.append(f"{n} incidents flagged outside every commune, expected {expect['outside_flagged']}")
    if expect.get("utf8_output"):
        for table in ("incidents", "rejected_incidents", "communes"):
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for v in row:
                    if isinstance(v, bytes) and not v.startswith(b"GP"):
                        try:
                            v.decode("utf-8")
                        except UnicodeDecodeError:
                            problems.append(f"{table}: invalid UTF-8 {v[:40]!r}")
    db.close()


def run_case(case):
    d = tempfile.mkdtemp(prefix=f"hotspot-bad-{case['name']}-")
    try:
        make_files.make("communes.gpkg", os.path.join(d, "communes.gpkg"))
        for name, text in case.get("files", {}).items():
            os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)  # "dir/a.csv"
            with open(os.path.join(d, name), "w", encoding="utf-8", newline="") as f:
                f.write(text)
        for name in case.get("make", []):
            make_files.make(name, os.path.join(d, name))
        for name, mode in case.get("chmod", {}).items():
            os.chmod(os.path.join(d, name), int(mode, 8))
        expect = case["expect"]
        before = {n: open(os.path.join(d, n), "rb").read() for n in expect.get("unchanged", [])}
        args = [a.replace("{d}", d) for a in case.get("args", CASES["defaults"])] + case.get("extra_args", [])
        p = subprocess.run([HOTSPOT, *args], capture_output=True, text=True, errors="replace", timeout=120)
        problems = []
        if p.returncode != expect["exit"]:
            problems.append(f"exit {p.returncode}, expected {expect['exit']}: {p.stderr.strip()[:300]}")
        for frag in expect.get("stderr", []):
            if frag not in p.stderr:
                problems.append(f"stderr lacks {frag!r}: {p.stderr.strip()[:300]}")
        for frag in expect.get("stdout", []):
            if frag not in p.stdout:
                problems.append(f"stdout lacks {frag!r}")
        if "Sanitizer" in p.stderr or "runtime error:" in p.stderr:
            problems.append("sanitizer report: " + p.stderr[:500])
        for n, content in before.items():
            if open(os.path.join(d, n), "rb").read() != content:
                problems.append(f"{n} was changed")
        if expect.get("no_output") and os.path.exists(os.path.join(d, "out.gpkg")):
            problems.append("out.gpkg was written")
        leftovers = [f for f in os.listdir(d) if ".tmp-" in f]
        if leftovers:
            problems.append(f"temporary files left: {leftovers}")
        out = next((a for a in args if a.endswith(".gpkg") and os.path.basename(a).startswith("out")), None)
        if p.returncode == 0 and out:
            try:
                check_output(out, expect, problems)
            except (sqlite3.Error, UnicodeDecodeError, TypeError, KeyError) as e:
                problems.append(f"output unreadable: {e!r}")
        return problems
    finally:
        for root, dirs, files in os.walk(d):
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        shutil.rmtree(d)


def main():
    passed = failed = 0
    for case in CASES["cases"]:
        if ONLY and case["name"] not in ONLY:
            continue
        problems = run_case(case)
        if problems:
            failed += 1
            print(f"FAIL {case['name']}: " + "; ".join(problems))
        else:
            passed += 1
            print(f"ok   {case['name']}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
