#!/usr/bin/env python3
"""Fails `make bogo` when a BoGo test failed or fewer passed than config.json's "floor".

usage: check.py RESULTS.json CONFIG.json [--no-floor]
Prints each failed test with the first line of its error.
"""
import json
import sys

results = json.load(open(sys.argv[1]))
config = json.load(open(sys.argv[2]))
check_floor = "--no-floor" not in sys.argv[3:]
tests = results.get("tests", {})
failed = sorted(n for n, t in tests.items() if t.get("actual") == "FAIL")
passed = sum(1 for t in tests.values() if t.get("actual") == "PASS")
for name in failed:
    error = tests[name].get("error", "").strip().splitlines()
    print("FAILED %s: %s" % (name, error[0] if error else ""))
floor = int(config.get("floor", 0))
ok = True
if failed:
    print("bogo: %d tests failed" % len(failed))
    ok = False
if not tests:
    print("bogo: no results (see runner.log)")
    ok = False
if check_floor and passed < floor:
    print("bogo: %d passed, below the floor of %d in %s" % (passed, floor, sys.argv[2]))
    ok = False
sys.exit(0 if ok else 1)
