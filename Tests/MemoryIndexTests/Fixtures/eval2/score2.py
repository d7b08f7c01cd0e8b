#!/usr/bin/env python3
"""score2.py - run cmem correlate on every case of a gen2.py output directory and score it.

Usage: python3 score2.py --data out_s1 [--jobs 2] [--cmem PATH] [--json results.json] [-v]

For each case: fresh repo in a temp dir, `cmem init`, `cmem import STREAM`,
`cmem correlate SYMPTOM --at AT --window W --limit 5 --json`.
Ranking = probable_cause, then related_events in order, deduplicated by event_id.
top-1 / top-3: a marker is contained in the description of rank 1 / one of ranks 1-3 (cause cases).
none accuracy: probable_cause is null or confidence == "low" (none cases).
"""
import argparse
import concurrent.futures as cf
import json
import os
import subprocess
import sys
import tempfile

CMEM = "/work/explore/bin/cmem"


def ev_desc(e):
    if e is None:
        return None
    if isinstance(e.get("event"), dict):
        return e["event"].get("description")
    return e.get("description")


def run_case(case, data, cmem):
    with tempfile.TemporaryDirectory(prefix="score2-") as tmp:
        repo = os.path.join(tmp, "repo")
        env = dict(os.environ, CMEM_REPO=repo)
        r = subprocess.run([cmem, "init", repo], capture_output=True, text=True, env=env)
        if r.returncode:
            return {"name": case["name"], "error": "init: " + r.stderr[-500:]}
        r = subprocess.run([cmem, "import", os.path.join(data, case["stream"]), "--json"], capture_output=True,
                           text=True, env=env)
        if r.returncode:
            return {"name": case["name"], "error": "import: " + r.stderr[-500:]}
        r = subprocess.run([cmem, "correlate", case["symptom"], "--at", case["at"], "--window", case["window"],
                            "--limit", "5", "--json"], capture_output=True, text=True, env=env)
        if r.returncode:
            return {"name": case["name"], "error": "correlate: " + (r.stderr or r.stdout)[-500:]}
        out = json.loads(r.stdout)
    ranked, seen = [], set()
    pc = out.get("probable_cause")
    for e in ([pc] if pc else []) + list(out.get("related_events") or []):
        eid = e.get("event_id") or (e.get("event") or {}).get("event_id")
        if eid in seen:
            continue
        seen.add(eid)
        ranked.append(e)
    markers = [m.lower() for m in case["marker"]]

    def hit(e):
        d = (ev_desc(e) or "").lower()
        return any(m in d for m in markers)
    res = {"name": case["name"], "family": case["family"], "expect": case["expect"],
           "confidence": out.get("confidence"), "onset_found": out.get("onset"), "onset_true": case.get("onset"),
           "symptom_components": out.get("symptom_components"),
           "probable_cause": None if pc is None else {
               "description": ev_desc(pc), "time": pc.get("timestamp") or (pc.get("event") or {}).get("timestamp"),
               "type": pc.get("event_type"), "score": pc.get("score"), "relation": pc.get("relation"),
               "reasons": pc.get("reasons")},
           "ranked": [{"description": ev_desc(e), "time": e.get("timestamp") or (e.get("event") or {}).get("timestamp"),
                       "score": e.get("score"), "reasons": e.get("reasons")} for e in ranked[:5]],
           "candidates_considered": out.get("candidates_considered")}
    if case["expect"] == "cause":
        res["top1"] = bool(ranked) and hit(ranked[0]) and pc is not None
        res["top3"] = any(hit(e) for e in ranked[:3])
        res["rank"] = next((i + 1 for i, e in enumerate(ranked) if hit(e)), None)
    else:
        res["none_ok"] = pc is None or out.get("confidence") == "low"
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="out")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cmem", default=CMEM)
    ap.add_argument("--json")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    jobs = max(1, min(2, a.jobs))
    cases = json.load(open(os.path.join(a.data, "cases.json")))
    with cf.ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(lambda c: run_case(c, a.data, a.cmem), cases))
    errs = [r for r in results if "error" in r]
    cause = [r for r in results if r.get("expect") == "cause"]
    none = [r for r in results if r.get("expect") == "none"]
    t1 = sum(r["top1"] for r in cause)
    t3 = sum(r["top3"] for r in cause)
    nk = sum(r["none_ok"] for r in none)
    for r in results:
        if "error" in r:
            print("ERROR %-42s %s" % (r["name"], r["error"]))
            continue
        pc = r["probable_cause"]
        if r["expect"] == "cause":
            mark = "OK " if r["top1"] else ("t3 " if r["top3"] else "MISS")
            extra = "rank=%s" % r["rank"]
        else:
            mark = "OK " if r["none_ok"] else "MISS"
            extra = ""
        print("%-4s %-42s conf=%-6s %s pc=%s" % (mark, r["name"], r["confidence"], extra,
                                                 (pc or {}).get("description", "null")[:90] if pc else "null"))
        if a.v and mark.strip() != "OK":
            for e in r["ranked"][:3]:
                print("       %s %s | %s" % (e["time"], (e["description"] or "")[:100], "; ".join(e["reasons"] or [])[:200]))
    print("top-1 %d/%d  top-3 %d/%d  none %d/%d  errors %d" % (t1, len(cause), t3, len(cause), nk, len(none), len(errs)))
    if a.json:
        json.dump({"summary": {"top1": t1, "top3": t3, "cause": len(cause), "none_ok": nk, "none": len(none),
                               "errors": len(errs)}, "results": results}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
