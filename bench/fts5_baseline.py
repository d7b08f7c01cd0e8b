#!/usr/bin/env python3
"""SQLite FTS5 baseline for the `index` suite of cmem-bench (issue 3).

Usage: fts5_baseline.py --corpus stream.jsonl --db out.sqlite --queries queries.json [--runs N] [--optimize]

Builds an FTS5 table from the same records `cmem import` turns into the memory (events, sessions and the
decisions inside them, as `gen_events.py` writes them), with the index's field weights as three weighted
columns, then runs the queries: top 10 by `bm25(...)` with the filter on UNINDEXED columns, each query once
to warm up and then `--runs` times, timed in this process around execute + fetchall.

queries.json: [{"term": "registry", "kinds": ["event"], "severities": ["warning", "critical"],
                "since": "2026-10-21T00:00:00Z", "until": null}, ...]; every filter key is optional.
Timestamps are compared as ISO 8601 text (the corpus writes one fixed format), so no time is parsed.

Prints one JSON object on stdout:
  {"build_seconds", "build_cpu_seconds", "parse_seconds", "optimize_seconds", "documents", "db_bytes",
   "sqlite_version", "queries": [{"term", "hits", "seconds": [...]}]}
Peak memory is left to the caller (GNU time): ru_maxrss read here would include the spawning process's.
"""
import argparse, json, os, resource, sqlite3, sys, time

p = argparse.ArgumentParser()
p.add_argument("--corpus", required=True)
p.add_argument("--db", required=True)
p.add_argument("--queries", required=True)
p.add_argument("--runs", type=int, default=20)
p.add_argument("--optimize", action="store_true", help="merge the FTS5 segments into one after the inserts (timed apart)")
a = p.parse_args()

# Field weights of MemoryIndex (docs/INDEX.md), folded into three columns weighted 3, 2 and 1:
#   event:    description | components, type          | string values of details
#   decision: decision    | rationale                 | alternatives
#   session:  task        | summary, blockers         | next steps
WEIGHTS = (3.0, 2.0, 1.0)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)


parse_seconds = 0.0


def rows():
    global parse_seconds
    clock = time.perf_counter
    with open(a.corpus, "rb") as f:
        for line in f:
            t0 = clock()
            r = json.loads(line)
            parse_seconds += clock() - t0
            kind = r.get("kind")
            if kind == "event":
                yield (r.get("description", ""), " ".join(r.get("affected_components", [])) + " " + r.get("type", ""),
                       " ".join(strings(r.get("details", {}))), "event", r["time"], r.get("severity", "info"),
                       r.get("type", ""), r.get("source", ""))
            elif kind == "session":
                started = r["started_at"]
                yield (r.get("current_task", ""), " ".join([r.get("summary", "")] + r.get("blockers", [])),
                       " ".join(r.get("next_steps", [])), "session", started, "", "", "")
                for d in r.get("decisions", []):
                    yield (d.get("decision", ""), d.get("rationale", ""), " ".join(d.get("alternatives", [])),
                           "decision", d.get("timestamp", started), "", "", "")


if os.path.exists(a.db):
    os.remove(a.db)
db = sqlite3.connect(a.db)
db.execute("PRAGMA journal_mode = OFF")
db.execute("PRAGMA synchronous = OFF")
db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, tags, body, kind UNINDEXED, ts UNINDEXED, severity UNINDEXED, "
           "type UNINDEXED, source UNINDEXED, tokenize = 'unicode61')")
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


start, start_cpu = time.perf_counter(), cpu()
db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows())
db.commit()
build_seconds, build_cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
optimize_seconds = None
if a.optimize:
    start = time.perf_counter()
    db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    db.commit()
    optimize_seconds = time.perf_counter() - start
documents = db.execute("SELECT count(*) FROM docs").fetchone()[0]

with open(a.queries) as f:
    queries = json.load(f)
weights = ", ".join(str(w) for w in WEIGHTS)
results = []
for q in queries:
    where = ["docs MATCH ?"]
    params = ['"' + q["term"].replace('"', '""') + '"']
    for key, column in (("kinds", "kind"), ("severities", "severity"), ("types", "type"), ("sources", "source")):
        values = q.get(key) or []
        if values:
            where.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params += values
    if q.get("since"):
        where.append("ts >= ?")
        params.append(q["since"])
    if q.get("until"):
        where.append("ts < ?")
        params.append(q["until"])
    sql = (f"SELECT rowid, title, kind, ts, bm25(docs, {weights}) AS score FROM docs WHERE {' AND '.join(where)} "
           f"ORDER BY score LIMIT 10")
    hits = len(db.execute(sql, params).fetchall())  # warm-up
    seconds = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        db.execute(sql, params).fetchall()
        seconds.append(time.perf_counter() - t0)
    results.append({"term": q["term"], "hits": hits, "seconds": seconds})
db.close()

json.dump({"build_seconds": build_seconds, "build_cpu_seconds": build_cpu_seconds, "parse_seconds": parse_seconds,
           "optimize_seconds": optimize_seconds, "documents": documents, "db_bytes": os.path.getsize(a.db),
           "sqlite_version": sqlite3.sqlite_version, "queries": results}, sys.stdout)
sys.stdout.write("\n")
