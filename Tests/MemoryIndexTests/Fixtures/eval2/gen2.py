#!/usr/bin/env python3
"""gen2.py - an independent scenario generator for change-correlation engines.

Cluster: "Streamly", a video streaming company (playback, catalog/discovery,
billing, identity, data, platform), 44 workloads + 6 nodes.

Usage: python3 gen2.py --out out [--seed 1] [--only NAME]
Writes <scenario>.jsonl per scenario and cases.json; exits 1 if a check fails.
Python 3 stdlib only; deterministic for a given --seed.
"""
import argparse
import datetime as dt
import json
import math
import os
import random
import sys

UTC = dt.timezone.utc
MIN, HOUR, DAY = 60, 3600, 86400


def iso(t):
    return dt.datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mk(y, m, d, H=0, M=0, S=0):
    return int(dt.datetime(y, m, d, H, M, S, tzinfo=UTC).timestamp())


# ----------------------------------------------------------------------------- cluster
# name, namespace, kind, team, scaler, base replicas, language
COMPONENTS = [
    ("web-player", "edge", "ui", "web", "hpa", 6, "node"),
    ("tv-app-bff", "edge", "bff", "web", "hpa", 4, "node"),
    ("mobile-bff", "edge", "bff", "mobile", "hpa", 8, "node"),
    ("ingress-nginx", "ingress-nginx", "infra", "platform", "hpa", 4, None),
    ("playback-api", "playback", "api", "playback", "hpa", 10, "go"),
    ("playback-session", "playback", "api", "playback", "hpa", 12, "go"),
    ("manifest-service", "playback", "api", "playback", "hpa", 8, "go"),
    ("drm-license", "playback", "api", "playback", "hpa", 4, "jvm"),
    ("drm-keystore", "playback", "api", "playback", None, 3, "go"),
    ("cdn-router", "playback", "api", "edge-net", "hpa", 6, "go"),
    ("transcode-worker", "media", "worker", "media", "keda", 0, "go"),
    ("catalog-api", "catalog", "api", "catalog", "hpa", 6, "jvm"),
    ("catalog-indexer", "catalog", "worker", "catalog", None, 1, "jvm"),
    ("catalog-db", "catalog", "db", "catalog", None, 3, None),
    ("search-api", "catalog", "api", "discovery", "hpa", 5, "jvm"),
    ("search-indexer", "catalog", "worker", "discovery", "keda", 0, "jvm"),
    ("artwork-service", "catalog", "api", "catalog", "hpa", 4, "node"),
    ("recs-api", "discovery", "api", "discovery", "hpa", 6, "python"),
    ("recs-model-server", "discovery", "ml", "discovery", "hpa", 3, "python"),
    ("billing-api", "billing", "api", "billing", "hpa", 4, "jvm"),
    ("billing-worker", "billing", "worker", "billing", "keda", 0, "go"),
    ("billing-db", "billing", "db", "billing", None, 2, None),
    ("subscription-api", "billing", "api", "billing", "hpa", 5, "jvm"),
    ("subscription-db", "billing", "db", "billing", None, 2, None),
    ("payment-gateway", "billing", "api", "payments", "hpa", 4, "go"),
    ("invoice-renderer", "billing", "worker", "billing", "keda", 0, "node"),
    ("entitlement-api", "billing", "api", "payments", "hpa", 6, "go"),
    ("entitlement-cache", "billing", "cache", "payments", None, 3, None),
    ("account-api", "identity", "api", "identity", "hpa", 4, "go"),
    ("account-db", "identity", "db", "identity", None, 2, None),
    ("auth-service", "identity", "api", "identity", "hpa", 6, "go"),
    ("profile-api", "identity", "api", "identity", "hpa", 4, "go"),
    ("profile-cache", "identity", "cache", "identity", None, 3, None),
    ("events-ingest", "data", "api", "data", "hpa", 4, "go"),
    ("events-kafka", "data", "queue", "data", None, 3, None),
    ("watch-history-api", "data", "api", "data", "hpa", 4, "go"),
    ("watch-history-db", "data", "db", "data", None, 2, None),
    ("analytics-etl", "data", "worker", "data", None, 1, "python"),
    ("clickhouse", "data", "db", "data", None, 3, None),
    ("istiod", "istio-system", "infra", "platform", "hpa", 2, None),
    ("vault", "vault", "infra", "platform", None, 3, None),
    ("cert-manager", "cert-manager", "infra", "platform", None, 1, None),
    ("coredns", "kube-system", "infra", "platform", "hpa", 2, None),
    ("cluster-autoscaler", "kube-system", "infra", "platform", None, 1, None),
]
COMP = {c[0]: dict(name=c[0], ns=c[1], kind=c[2], team=c[3], scaler=c[4], base=c[5], lang=c[6])
        for c in COMPONENTS}
NAMES = [c[0] for c in COMPONENTS]
NODES = ["pool-general-7c2d", "pool-general-a91f", "pool-general-3e4b",
         "pool-stateful-b2", "pool-stateful-c7", "pool-transcode-x1"]
INFRA = [n for n in NAMES if COMP[n]["kind"] == "infra"]
DATASTORES = [n for n in NAMES if COMP[n]["kind"] in ("db", "cache", "queue")]
SERVICES = [n for n in NAMES if COMP[n]["kind"] in ("api", "bff", "ui", "worker", "ml")]
TEAM_TZ = {"web": 0, "mobile": -8, "playback": 1, "edge-net": 1, "media": 1, "catalog": 1,
           "discovery": 5.5, "billing": -5, "payments": -5, "identity": -5, "data": 5.5,
           "platform": 1}
TRAIN_TEAMS = {"billing", "payments", "identity"}   # ship on Tue/Thu 15:00 UTC release trains
DB_OF = {"catalog-api": "catalog-db", "billing-api": "billing-db", "subscription-api": "subscription-db",
         "account-api": "account-db", "watch-history-api": "watch-history-db", "billing-worker": "billing-db"}
USERS = ["maria.k", "jonas.b", "priya.n", "sam.o", "li.wei", "tomas.r", "aisha.m", "dev.patel",
         "nina.p", "oskar.l", "hana.s", "carlos.d", "femi.a", "ines.v"]
RES = {
    "web-player": ["player controls", "resume prompt", "subtitle menu"],
    "tv-app-bff": ["rails", "home layout", "device registry"],
    "mobile-bff": ["downloads", "home feed", "push tokens"],
    "playback-api": ["titles", "heartbeats", "playback intents"],
    "playback-session": ["sessions", "concurrency checks", "bookmarks"],
    "manifest-service": ["manifests", "renditions", "ad markers"],
    "drm-license": ["licenses", "widevine requests", "fairplay certs"],
    "drm-keystore": ["content keys", "key rotations"],
    "cdn-router": ["edge selection", "origin pools", "steering rules"],
    "transcode-worker": ["encode jobs", "segments", "ladders"],
    "catalog-api": ["titles", "seasons", "availability windows"],
    "catalog-indexer": ["index batches", "title documents"],
    "search-api": ["queries", "suggestions", "facets"],
    "search-indexer": ["index jobs", "synonyms"],
    "artwork-service": ["thumbnails", "posters", "image crops"],
    "recs-api": ["rows", "candidates", "home rails"],
    "recs-model-server": ["model versions", "feature vectors", "rankers"],
    "billing-api": ["invoices", "tax lines", "credit notes"],
    "billing-worker": ["invoice jobs", "dunning runs"],
    "subscription-api": ["plans", "subscriptions", "trials"],
    "payment-gateway": ["card authorizations", "refunds", "3DS challenges"],
    "invoice-renderer": ["PDF templates", "render jobs"],
    "entitlement-api": ["entitlements", "grants", "device limits"],
    "account-api": ["signups", "email verification", "accounts"],
    "auth-service": ["tokens", "refresh flow", "JWKS"],
    "profile-api": ["profiles", "avatars", "maturity settings"],
    "events-ingest": ["beacons", "event batches"],
    "watch-history-api": ["history entries", "continue watching"],
    "analytics-etl": ["daily rollups", "partitions"],
}
PHRASES = [
    "add pagination to {r} listing", "handle empty {r} response from upstream",
    "retry {r} fetch on 503 with jittered backoff", "remove dead code around {r}",
    "log request id on {r} errors", "cache {r} lookups for 30s", "fix race in {r} batch flush",
    "return 404 instead of 500 for unknown {r}", "make {r} client timeout configurable",
    "add metrics for {r}", "update OpenAPI spec for {r}", "validate {r} ids before lookup",
    "drop deprecated v0 {r} endpoint", "tidy up {r} error messages", "add OTel spans for {r}",
    "fix flaky {r} integration test", "batch {r} writes", "guard against nil {r} in mapper",
    "reduce allocations when serializing {r}", "raise default page size for {r} to 100",
    "split {r} module into smaller files", "rename internal {r} types", "add contract tests for {r}",
    "support locale fallback for {r}", "emit audit log for {r} changes",
]
DOCS = ["docs: update README with local setup steps", "docs: fix runbook links", "Update CODEOWNERS",
        "docs(adr): record decision on {r} caching", "docs: describe {r} in architecture overview",
        "chore: fix typo in CONTRIBUTING.md"]
PKGS = {
    "go": ["golang.org/x/net", "google.golang.org/grpc", "github.com/prometheus/client_golang",
           "go.opentelemetry.io/otel", "github.com/jackc/pgx/v5", "github.com/redis/go-redis/v9",
           "github.com/aws/aws-sdk-go-v2"],
    "node": ["axios", "@sentry/node", "express", "pino", "zod", "undici"],
    "jvm": ["org.springframework.boot:spring-boot-starter-web", "com.fasterxml.jackson.core:jackson-databind",
            "io.micrometer:micrometer-registry-prometheus", "org.postgresql:postgresql"],
    "python": ["fastapi", "uvicorn", "numpy", "pydantic", "httpx"],
}
FLAGS = {
    "web-player": ["web.player.new-scrubber", "web.autoplay-previews"],
    "tv-app-bff": ["tv.home.hero-carousel"],
    "mobile-bff": ["mobile.smart-downloads", "mobile.home.top10-row"],
    "playback-api": ["playback.resume-from-other-device"],
    "playback-session": ["playback.concurrent-stream-limit-v2"],
    "manifest-service": ["playback.ad-insertion-ssai"],
    "search-api": ["search.typo-tolerance", "search.kids-filter-v2"],
    "recs-api": ["recs.diversity-rerank", "recs.because-you-watched-v3"],
    "subscription-api": ["billing.pause-subscription", "billing.annual-plan-upsell"],
    "payment-gateway": ["payments.apple-pay-web"],
    "account-api": ["identity.passkeys-signup"],
    "profile-api": ["identity.profile-pin-lock"],
    "artwork-service": ["catalog.avif-thumbnails"],
    "catalog-api": ["catalog.regional-availability-v2"],
}
CONFIG_KEYS = {
    "api": ["HTTP_CLIENT_TIMEOUT_MS", "MAX_INFLIGHT_REQUESTS", "OTEL_TRACES_SAMPLER_ARG",
            "RATE_LIMIT_PER_USER", "UPSTREAM_RETRY_BUDGET", "GRPC_KEEPALIVE_SEC", "LOCAL_CACHE_ENTRIES"],
    "bff": ["UPSTREAM_TIMEOUT_MS", "RESPONSE_CACHE_SECONDS", "OTEL_TRACES_SAMPLER_ARG"],
    "ui": ["CDN_ASSET_PREFIX", "SENTRY_SAMPLE_RATE"],
    "worker": ["WORKER_CONCURRENCY", "BATCH_SIZE", "VISIBILITY_TIMEOUT_SEC", "MAX_ATTEMPTS"],
    "ml": ["MODEL_WARMUP_REQUESTS", "BATCH_MAX_DELAY_MS", "TORCH_NUM_THREADS"],
}
PG_PARAMS = [("work_mem", "16MB", "32MB"), ("statement_timeout", "30s", "45s"),
             ("autovacuum_vacuum_scale_factor", "0.2", "0.1"), ("max_wal_size", "2GB", "4GB"),
             ("log_min_duration_statement", "1000", "500"), ("random_page_cost", "4", "1.1")]
VAULT_ROLES = {"catalog-api": "catalog-ro", "billing-api": "billing-app", "billing-worker": "billing-batch",
               "subscription-api": "subs-app", "entitlement-api": "entitlement-ro",
               "account-api": "accounts-app", "profile-api": "profiles-app",
               "watch-history-api": "wh_app", "analytics-etl": "etl-reader"}
CERTS = ["edge/wildcard-streamly-tv", "playback/drm-license-tls", "identity/auth-streamly-tv",
         "billing/payments-mtls-client", "data/events-ingest-tls", "catalog/artwork-cdn-tls"]
K8S_ALPHA = "bcdfghjklmnpqrstvwxz2456789"


# ----------------------------------------------------------------------------- curves
def office(t, tz):
    """Relative human activity (0..1) in a team's local time."""
    lt = t + tz * HOUR
    d = dt.datetime.fromtimestamp(lt, UTC)
    wd, h = d.weekday(), d.hour + d.minute / 60
    if wd >= 5:
        return 0.05 if 10 <= h < 18 else 0.01
    if 9.5 <= h < 12:
        f = 1.0
    elif 12 <= h < 13.5:
        f = 0.45
    elif 13.5 <= h < 17.5:
        f = 1.0
    elif 8.5 <= h < 9.5 or 17.5 <= h < 19.5:
        f = 0.35
    elif 19.5 <= h < 23:
        f = 0.07
    else:
        f = 0.015
    if wd == 4 and h >= 13:
        f *= 0.5      # Friday afternoon: fewer merges
    return f


def traffic(t):
    """Viewer traffic, roughly 0.25..1.3: EU evening peak (~19:30 UTC) and US evening peak (~01:30 UTC)."""
    d = dt.datetime.fromtimestamp(t, UTC)
    h = d.hour + d.minute / 60
    wknd = d.weekday() >= 5

    def bump(center, width):
        x = min(abs(h - center), 24 - abs(h - center))
        return math.exp(-(x / width) ** 2)
    v = 0.22 + 0.75 * bump(19.6, 2.6) + 0.55 * bump(1.5, 2.4) + 0.18 * bump(13, 3)
    if wknd:
        v += 0.25 * bump(15, 4)
    return v


# ----------------------------------------------------------------------------- stream
class Stream:
    def __init__(self, seed, sc):
        self.sc = sc
        self.name = sc["name"]
        self.rng = random.Random("gen2:%s:%s" % (seed, sc["name"]))
        self.events = []
        self.seq = 0
        r = self.rng
        week = r.randrange(3)
        wd, hh, mm, jit = sc["onset_spec"]
        base = mk(2027, 3, 8) + week * 7 * DAY + wd * DAY + hh * HOUR + mm * MIN
        if jit:
            base += r.randint(-jit, jit) * MIN + r.randint(0, 59)
        self.onset = base
        self.at = base + sc.get("at_delay", 0)
        self.window = sc.get("window_s", DAY)
        self.t0 = self.onset - 7 * DAY
        self.t1 = self.onset + 2 * HOUR
        self.focus = set(sc["focus"])
        self.none = sc["expect"] == "none"
        self.qs, self.qe = self.onset - self.window - 3 * HOUR, self.onset + 2 * HOUR
        if self.none:
            self.iq0, self.iq1 = self.onset - self.window - HOUR, self.onset + HOUR
        else:
            self.iq0, self.iq1 = self.onset - 3 * HOUR, self.onset + HOUR
        prefixes = {f.split("-")[0] for f in self.focus}
        self.siblings = {n for n in NAMES if n.split("-")[0] in prefixes} - self.focus
        self.keep = set(sc.get("keep", []))
        self.hpa_override = {}
        self.keda_off = {}
        self.state_hash = {n: self.rshash() for n in NAMES}
        self.hist = {n: r.randint(40, 900) for n in NAMES}
        self.current_sha = {n: self.sha() for n in NAMES}
        self.pr = r.randint(3000, 6000)
        self.inc = r.randint(1200, 4000)

    # --- ids
    def sha(self):
        return "%040x" % self.rng.getrandbits(160)

    def rshash(self):
        return "".join(self.rng.choice(K8S_ALPHA) for _ in range(self.rng.choice((9, 10))))

    def pod(self, comp):
        k = COMP.get(comp, {}).get("kind")
        if k in ("db", "cache", "queue") or comp in ("vault",):
            return "%s-%d" % (comp, self.rng.randrange(max(1, COMP[comp]["base"])))
        return "%s-%s-%s" % (comp, self.state_hash.get(comp, "x"),
                             "".join(self.rng.choice(K8S_ALPHA) for _ in range(5)))

    def ip(self):
        return "10.42.%d.%d" % (self.rng.randrange(0, 64), self.rng.randrange(2, 254))

    def user(self):
        return self.rng.choice(USERS)

    # --- protection
    def blocked(self, t, comps, cat):
        if cat in ("benign",):
            return False
        for c in comps:
            if cat == "flap":
                if c in self.focus and c not in self.keep and self.qs <= t <= self.qe:
                    return True
                continue
            if cat == "scaledown":
                if c in self.focus and self.onset - 90 * MIN <= t < self.onset:
                    return True
                continue
            # change / failure
            if c in self.focus and self.qs <= t <= self.qe:
                return True
            if (c in INFRA or c.startswith("pool-")) and c not in self.focus and self.iq0 <= t <= self.iq1:
                return True
            if self.none and c in DATASTORES and self.iq0 <= t <= self.iq1:
                return True
            if cat == "change" and c in self.siblings and self.onset - 2 * HOUR <= t < self.onset + 30 * MIN:
                return True
        return False

    def ev(self, t, typ, src, desc, details, comps, sev="info", tag="noise", cat="benign"):
        if t < self.t0 or t > self.t1:
            return None
        if tag == "noise" and self.blocked(t, comps, cat):
            return None
        e = {"t": int(t), "seq": self.seq, "type": typ, "source": src, "description": desc,
             "details": details or {}, "comps": list(comps), "sev": sev, "tag": tag, "cat": cat}
        self.seq += 1
        self.events.append(e)
        return e

    def poisson(self, rate_per_day, f, t0=None, t1=None):
        """Times of a thinned Poisson process with peak rate rate_per_day and shape f(t) in [0,1]."""
        t0 = self.t0 if t0 is None else t0
        t1 = self.t1 if t1 is None else t1
        out = []
        if rate_per_day <= 0:
            return out
        lam = rate_per_day / DAY
        t = t0
        while True:
            t += self.rng.expovariate(lam)
            if t >= t1:
                return out
            if self.rng.random() < f(t):
                out.append(t)

    # ------------------------------------------------------------------ helpers used by noise and scripts
    def commit_subject(self, comp, kind="code"):
        r = self.rng
        res = r.choice(RES.get(comp, ["requests", "handlers"]))
        if kind == "docs":
            return r.choice(DOCS).format(r=res)
        ph = r.choice(PHRASES).format(r=res)
        self.pr += r.randint(1, 4)
        style = r.random()
        if style < 0.45:
            ct = r.choice(["feat", "fix", "fix", "refactor", "perf", "chore", "test"])
            scope = comp if r.random() < 0.6 else r.choice(["api", "core", "db", "http", "deps", "ci"])
            return "%s(%s): %s (#%d)" % (ct, scope, ph, self.pr)
        if style < 0.7:
            br = ph.split()[0] + "-" + res.replace(" ", "-")
            return "Merge pull request #%d from streamly/%s/%s" % (self.pr, self.user().split(".")[0], br)
        if style < 0.85:
            return ph[0].upper() + ph[1:]
        return "%s: %s" % (comp, ph)

    def bot_subject(self, comp):
        r = self.rng
        lang = COMP[comp]["lang"] or "go"
        pkg = r.choice(PKGS[lang])
        a = "%d.%d.%d" % (r.randint(0, 5), r.randint(0, 40), r.randint(0, 20))
        parts = a.split(".")
        b = "%s.%s.%d" % (parts[0], parts[1], int(parts[2]) + r.randint(1, 4))
        if r.random() < 0.55:
            return "dependabot[bot]", "Bump %s from %s to %s" % (pkg, a, b)
        return "renovate[bot]", r.choice(["chore(deps): update dependency %s to v%s" % (pkg, b),
                                          "fix(deps): update module %s to v%s" % (pkg, b)])

    def commit(self, t, comp, subject, tag="noise", author=None, docs=False, repo=None, cat="change"):
        sha = self.sha()
        repo = repo or ("streamly/platform-gitops" if COMP.get(comp, {}).get("kind") == "infra"
                        else "streamly/%s" % comp)
        files = (["README.md"] if docs else
                 self.rng.sample(["cmd/server/main.go", "internal/handler.go", "src/main/App.java",
                                  "src/index.ts", "pyproject.toml", "go.mod", "go.sum",
                                  "deploy/values-prod.yaml", "internal/store/queries.sql"], 2))
        e = self.ev(t, "git_commit", "github", subject,
                    {"sha": sha, "repo": repo, "branch": "main", "author": author or self.user(),
                     "files": files, "docs_only": docs}, [comp], "info", tag, cat)
        return (sha, e)

    def deploy(self, t, comp, sha, tag="noise", how="auto", user=None, cat="change", hid=None,
               followups=True, degraded=False):
        r = self.rng
        if hid is None:
            self.hist[comp] += 1
            hid = self.hist[comp]
        short = sha[:7]
        if how == "auto":
            desc = "Application %s has been successfully synced at %s. Revision: %s" % (comp, iso(t + 4), short)
            who = "automated"
        elif how == "manual":
            who = user or self.user()
            desc = "Sync of %s to %s initiated by %s: Succeeded (history id %d)" % (comp, short, who, hid)
        else:  # rollback
            who = user or self.user()
            desc = "Rollback of %s to history id %d (%s) initiated by %s: Succeeded" % (comp, hid, short, who)
        prev = self.current_sha.get(comp)
        e = self.ev(t, "deployment", "argocd", desc,
                    {"app": comp, "sha": sha, "revision": sha, "history_id": hid, "initiated_by": who, "how": how,
                     "previous_sha": prev, "sync_status": "Synced", "phase": "Succeeded",
                     "image": "registry.streamly.tv/%s/%s:%s" % (COMP.get(comp, {}).get("ns", "x"), comp, short)},
                    [comp], "info", tag, cat)
        if e is None:
            return None
        self.current_sha[comp] = sha
        old = self.state_hash.get(comp)
        new = self.rshash()
        self.state_hash[comp] = new
        if followups:
            n = max(1, COMP.get(comp, {}).get("base", 2))
            self.ev(t + r.randint(2, 6), "health_change", "argocd",
                    "Application %s health status changed: Healthy -> Progressing" % comp,
                    {"app": comp, "from": "Healthy", "to": "Progressing"}, [comp], "info", "noise")
            self.ev(t + r.randint(3, 9), "scaling", "k8s", "Scaled up replica set %s-%s to %d" % (comp, new, n),
                    {"reason": "ScalingReplicaSet", "replicaset": "%s-%s" % (comp, new), "replicas": n},
                    [comp], "info", "noise")
            done = t + r.randint(60, 260)
            self.ev(done - 3, "scaling", "k8s", "Scaled down replica set %s-%s to 0" % (comp, old),
                    {"reason": "ScalingReplicaSet", "replicaset": "%s-%s" % (comp, old), "replicas": 0},
                    [comp], "info", "noise")
            if degraded:
                self.ev(done, "health_change", "argocd",
                        "Application %s health status changed: Progressing -> Degraded" % comp,
                        {"app": comp, "from": "Progressing", "to": "Degraded"}, [comp], "warning", "noise",
                        "failure")
                done += r.randint(120, 600)
                self.ev(done, "health_change", "argocd",
                        "Application %s health status changed: Degraded -> Healthy" % comp,
                        {"app": comp, "from": "Degraded", "to": "Healthy"}, [comp], "info", "noise")
            else:
                self.ev(done, "health_change", "argocd",
                        "Application %s health status changed: Progressing -> Healthy" % comp,
                        {"app": comp, "from": "Progressing", "to": "Healthy"}, [comp], "info", "noise")
        return e

    def config_desc(self, comp):
        """A plausible noise configuration change for comp: (type, source, description, details)."""
        r = self.rng
        c = COMP[comp]
        k = c["kind"]
        if k == "db":
            if comp == "clickhouse":
                p, a, b = r.choice([("max_threads", "16", "24"), ("max_memory_usage", "20G", "24G"),
                                    ("merge_tree/parts_to_throw_insert", "300", "600")])
                return ("config_change", "argocd", "ClickHouse settings on %s changed: %s %s -> %s" % (comp, p, a, b),
                        {"parameter": p, "old": a, "new": b})
            p, a, b = r.choice(PG_PARAMS)
            if r.random() < 0.5:
                a, b = b, a
            return ("config_change", "terraform",
                    "RDS parameter group %s-pg15 modified: %s %s -> %s (apply_method=immediate)" % (comp, p, a, b),
                    {"parameter": p, "old": a, "new": b, "db": comp})
        if k == "cache":
            p, a, b = r.choice([("timeout", "0", "300"), ("hz", "10", "20"), ("maxmemory", "2gb", "3gb"),
                                ("lazyfree-lazy-eviction", "no", "yes")])
            return ("config_change", "terraform",
                    "ElastiCache parameter group %s-redis7 modified: %s %s -> %s" % (comp, p, a, b),
                    {"parameter": p, "old": a, "new": b})
        if k == "queue":
            topic = r.choice(["playback-events", "beacons-raw", "billing-outbox", "catalog-changes"])
            p, a, b = r.choice([("retention.ms", "604800000", "259200000"), ("min.insync.replicas", "1", "2"),
                                ("max.message.bytes", "1048588", "2097164")])
            return ("config_change", "argocd", "KafkaTopic %s on %s: %s %s -> %s" % (topic, comp, p, a, b),
                    {"topic": topic, "parameter": p, "old": a, "new": b})
        if k == "infra":
            opts = {
                "ingress-nginx": "ConfigMap ingress-nginx/ingress-nginx-controller: proxy-body-size \"8m\" -> \"16m\"",
                "istiod": "IstioOperator default: meshConfig.defaultConfig.holdApplicationUntilProxyStarts false -> true",
                "coredns": "ConfigMap kube-system/coredns: Corefile cache 30 -> 60",
                "vault": "Vault policy 'ci-deployer' updated (2 paths added)",
                "cert-manager": "ClusterIssuer letsencrypt-prod: dns01 solver credentials reference updated",
                "cluster-autoscaler": "cluster-autoscaler flags: --scale-down-utilization-threshold 0.5 -> 0.55",
            }
            return ("config_change", "argocd", opts[comp], {})
        if c["scaler"] == "hpa" and r.random() < 0.3:
            a = c["base"] * 3
            b = a + r.choice([-2, 2, 4])
            return ("config_change", "argocd",
                    "HorizontalPodAutoscaler %s/%s: maxReplicas %d -> %d" % (c["ns"], comp, a, b),
                    {"kind": "HorizontalPodAutoscaler", "field": "maxReplicas", "old": a, "new": b})
        key = r.choice(CONFIG_KEYS.get(k, CONFIG_KEYS["api"]))
        a = r.choice(["100", "250", "500", "2000", "0.05", "16", "true"])
        b = r.choice(["150", "300", "400", "3000", "0.1", "32", "false"])
        who = self.user()
        return ("config_change", "k8s",
                "ConfigMap %s/%s-config updated by %s: %s changed from \"%s\" to \"%s\"" % (c["ns"], comp, who, key, a, b),
                {"kind": "ConfigMap", "key": key, "old": a, "new": b, "user": who})

    def alert(self, t, name, comp, summary, sev="warning", tag="noise", cat="failure", resolve=None, labels=None):
        lab = labels or {"namespace": COMP.get(comp, {}).get("ns", "kube-system"), "service": comp}
        labtxt = " ".join("%s=%s" % (k, v) for k, v in sorted(lab.items()))
        e = self.ev(t, "alert", "alertmanager", "[FIRING:1] %s (%s) %s" % (name, labtxt, summary),
                    {"alertname": name, "status": "firing", "labels": lab, "severity": sev,
                     "fingerprint": "%016x" % self.rng.getrandbits(64)}, [comp], sev, tag, cat)
        if e is not None and resolve:
            self.ev(t + resolve, "alert", "alertmanager", "[RESOLVED] %s (%s)" % (name, labtxt),
                    {"alertname": name, "status": "resolved", "labels": lab}, [comp], "info", tag,
                    "benign")
        return e

    # ------------------------------------------------------------------ noise processes
    def noise(self):
        self.n_commits_deploys()
        self.n_config()
        self.n_flags()
        self.n_hpa()
        self.n_keda()
        self.n_restarts()
        self.n_alerts()
        self.n_health()
        self.n_cron()
        self.n_vault()
        self.n_certs()
        self.n_agent()
        self.n_phoenix()
        self.n_nodes()
        self.n_incidents()
        self.n_misc()

    def n_commits_deploys(self):
        r = self.rng
        rate_kind = {"ui": 7, "bff": 4, "api": 3.2, "worker": 2, "ml": 2, "infra": 0.7}
        trains = []
        d = self.t0 - (self.t0 % DAY)
        while d < self.t1:
            if dt.datetime.fromtimestamp(d, UTC).weekday() in (1, 3):
                trains.append(d + 15 * HOUR)
            d += DAY
        for comp in NAMES:
            c = COMP[comp]
            if c["kind"] not in rate_kind:
                continue
            tz = TEAM_TZ[c["team"]]
            mult = math.exp(r.gauss(0, 0.45))
            rate = rate_kind[c["kind"]] * mult
            commits = []
            for t in self.poisson(rate / 0.55, lambda t: office(t, tz)):
                commits.append((t, "docs" if r.random() < 0.07 else "code"))
            if c["lang"]:
                for t in self.poisson(0.35 / 0.55, lambda t: office(t, tz)):
                    commits.append((t, "bot"))
            commits.sort()
            pending = []
            next_dep = None
            is_train = c["team"] in TRAIN_TEAMS
            tq = [x for x in trains]

            def ship(t, how="auto", user=None):
                nonlocal pending
                if not pending:
                    return
                e = self.deploy(t, comp, pending[-1], how=how, user=user,
                                degraded=(r.random() < 0.03))
                if e is not None:
                    pending = []
                    if comp in DB_OF and r.random() < 0.15:
                        db = DB_OF[comp]
                        self.ev(t + r.randint(15, 40), "migration", "flyway",
                                "Flyway: Successfully applied 1 migration to schema \"%s\", now at version v%d (execution time 00:00.%03ds)"
                                % (comp.split("-")[0], r.randint(100, 400), r.randint(20, 900)),
                                {"db": db}, [comp, db], "info", "noise", "change")

            for (t, kind) in commits:
                if is_train:
                    while tq and tq[0] <= t:
                        tt = tq.pop(0)
                        ship(tt + r.randint(0, 25 * MIN), how="manual", user="release-bot")
                elif next_dep is not None and t >= next_dep:
                    ship(next_dep)
                    next_dep = None
                if kind == "docs":
                    self.commit(t, comp, self.commit_subject(comp, "docs"), docs=True, cat="benign"
                                if not (comp in self.focus and self.qs <= t <= self.qe) else "change")
                    continue
                if kind == "bot":
                    author, subj = self.bot_subject(comp)
                    sha, e = self.commit(t, comp, subj, author=author)
                else:
                    sha, e = self.commit(t, comp, self.commit_subject(comp))
                if e is None:
                    continue
                pending.append(sha)
                if is_train:
                    if r.random() < 0.06:    # hotfix: shipped by hand
                        ship(t + r.randint(10, 40) * MIN, how="manual")
                elif next_dep is None:
                    next_dep = t + r.randint(8 * MIN, 35 * MIN)
            if is_train:
                while tq:
                    tt = tq.pop(0)
                    ship(tt + r.randint(0, 25 * MIN), how="manual", user="release-bot")
            elif next_dep is not None:
                ship(next_dep)

    def n_config(self):
        r = self.rng
        rate_kind = {"api": 0.6, "bff": 0.45, "ui": 0.3, "worker": 0.45, "ml": 0.5, "db": 0.35,
                     "cache": 0.2, "queue": 0.35, "infra": 0.45}
        for comp in NAMES:
            c = COMP[comp]
            tz = TEAM_TZ[c["team"]]
            for t in self.poisson(1.5 * rate_kind[c["kind"]] / 0.55, lambda t: office(t, tz)):
                typ, src, desc, det = self.config_desc(comp)
                self.ev(t, typ, src, desc, det, [comp], "info", "noise", "change")
        # terraform applies with no component
        for t in self.poisson(1.5 / 0.55, lambda t: office(t, 1)):
            ws = r.choice(["prod-iam", "prod-network", "prod-observability", "prod-s3"])
            ch = r.randint(1, 4)
            self.ev(t, "config_change", "terraform",
                    "terraform apply %s: Apply complete! Resources: 0 added, %d changed, 0 destroyed." % (ws, ch),
                    {"workspace": ws}, [], "info", "noise", "change")

    def n_flags(self):
        r = self.rng
        for comp, flags in FLAGS.items():
            tz = TEAM_TZ[COMP[comp]["team"]]
            for t in self.poisson(0.5 / 0.55, lambda t: office(t, tz)):
                f = r.choice(flags)
                who = self.user()
                a = r.choice([0, 5, 10, 25, 50])
                b = min(100, a + r.choice([5, 15, 25, 50]))
                if r.random() < 0.2:
                    desc = "Feature flag '%s' turned off in production by %s (kill switch)" % (f, who)
                else:
                    desc = "Feature flag '%s' updated in production by %s: rollout %d%% -> %d%%" % (f, who, a, b)
                self.ev(t, "feature_flag", "launchdarkly", desc, {"flag": f, "environment": "production",
                                                                  "user": who}, [comp], "info", "noise", "change")

    def hpa_min(self, comp, t):
        c = COMP[comp]
        mn = max(2, c["base"] // 2)
        ov = self.hpa_override.get(comp)
        if ov and t >= ov[0]:
            mn = ov[1]
        return mn

    def n_hpa(self):
        r = self.rng
        for comp in NAMES:
            c = COMP[comp]
            if c["scaler"] != "hpa":
                continue
            mx = c["base"] * 3
            sens = r.uniform(0.8, 1.2)
            cur = max(self.hpa_min(comp, self.t0), round(c["base"] * traffic(self.t0) * sens))
            last = self.t0
            t = self.t0
            while t < self.t1:
                t += r.uniform(140, 450)
                want = c["base"] * traffic(t) * sens * (1 + r.gauss(0, 0.04))
                des = int(min(mx, max(self.hpa_min(comp, t), math.ceil(want))))
                if des > cur and des >= cur * 1.25:
                    self.ev(t, "scaling", "k8s", "New size: %d; reason: cpu resource utilization (percentage of request) above target" % des,
                            {"hpa": comp, "from": cur, "to": des, "reason": "SuccessfulRescale"}, [comp], "info",
                            "noise", "benign")
                    if des == mx and r.random() < 0.5:
                        self.alert(t + 120, "KubeHpaMaxedOut", comp,
                                   "HPA %s/%s has been running at max replicas for longer than 15 minutes." % (c["ns"], comp),
                                   "warning", resolve=r.randint(900, 3600))
                    cur, last = des, t
                elif des < cur and des <= cur * 0.75 and t - last > 600:
                    if cur > self.hpa_min(comp, t) and des < self.hpa_min(comp, t):
                        des = self.hpa_min(comp, t)
                    e = self.ev(t, "scaling", "k8s", "New size: %d; reason: All metrics below target" % des,
                                {"hpa": comp, "from": cur, "to": des, "reason": "SuccessfulRescale"}, [comp],
                                "info", "noise", "scaledown")
                    if e is not None:
                        cur, last = des, t

    def keda_load(self, comp, t):
        d = dt.datetime.fromtimestamp(t, UTC)
        h = d.hour + d.minute / 60
        if comp == "transcode-worker":
            v = office(t, 1) * 0.9 + (0.3 if d.weekday() < 5 and 2 <= h < 4 else 0)
        elif comp == "billing-worker":
            v = 1.0 if 6 <= h < 7.2 else (0.25 if d.minute < 12 else 0)
        elif comp == "invoice-renderer":
            v = 0.8 if 6.3 <= h < 7.6 else (0.15 if d.hour % 2 == 0 and 12 <= d.minute < 22 else 0)
        else:  # search-indexer
            v = office(t, 1) * 0.6 + (0.4 if d.hour % 3 == 0 and d.minute < 10 else 0)
        ko = self.keda_off.get(comp)
        if ko and ko[0] <= t < ko[1]:
            v = 0
        return v

    def n_keda(self):
        r = self.rng
        mxs = {"transcode-worker": 24, "billing-worker": 12, "invoice-renderer": 10, "search-indexer": 6}
        for comp, mx in mxs.items():
            ns = COMP[comp]["ns"]
            cur = 0
            last = self.t0
            t = self.t0
            while t < self.t1:
                t += r.uniform(120, 360)
                load = self.keda_load(comp, t) * (1 + r.gauss(0, 0.08))
                des = 0 if load < 0.05 else int(min(mx, max(1, math.ceil(load * mx))))
                if des == cur:
                    continue
                if cur == 0 and des > 0:
                    self.ev(t, "scaling", "keda", "Scaled apps/v1.Deployment %s/%s from 0 to %d" % (ns, comp, des),
                            {"scaledobject": comp, "from": 0, "to": des, "reason": "KEDAScaleTargetActivated"},
                            [comp], "info", "noise", "benign")
                    cur, last = des, t
                elif des == 0 and t - last > 300:
                    e = self.ev(t, "scaling", "keda", "Deactivated apps/v1.Deployment %s/%s from %d to 0" % (ns, comp, cur),
                                {"scaledobject": comp, "from": cur, "to": 0, "reason": "KEDAScaleTargetDeactivated"},
                                [comp], "info", "noise", "scaledown")
                    if e is not None:
                        cur, last = 0, t
                elif des > cur and des >= cur * 1.5:
                    self.ev(t, "scaling", "k8s", "New size: %d; reason: external metric s0-rabbitmq-%s(&LabelSelector{...}) above target" % (des, comp.split("-")[0]),
                            {"hpa": "keda-hpa-" + comp, "from": cur, "to": des, "reason": "SuccessfulRescale"},
                            [comp], "info", "noise", "benign")
                    cur, last = des, t
                elif 0 < des < cur and des <= cur * 0.6 and t - last > 600:
                    e = self.ev(t, "scaling", "k8s", "New size: %d; reason: All metrics below target" % des,
                                {"hpa": "keda-hpa-" + comp, "from": cur, "to": des, "reason": "SuccessfulRescale"},
                                [comp], "info", "noise", "scaledown")
                    if e is not None:
                        cur, last = des, t

    def restart_msg(self, comp, pod):
        r = self.rng
        x = r.random()
        ctr = comp
        if x < 0.4:
            return ("Back-off restarting failed container %s in pod %s" % (ctr, pod), "warning", "BackOff")
        if x < 0.65:
            return ("Container %s in pod %s was OOMKilled (exit code 137); restarting" % (ctr, pod), "error", "OOMKilled")
        if x < 0.9:
            return ("Liveness probe failed for %s: Get \"http://%s:8080/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers); container will be restarted" % (pod, self.ip()), "warning", "Unhealthy")
        return ("Container %s in pod %s exited with code 2 (Error); restarting (restartCount=%d)" % (ctr, pod, r.randint(1, 9)), "warning", "Error")

    def n_restarts(self):
        r = self.rng
        chronic = {"analytics-etl": 3, "invoice-renderer": 4, "search-indexer": 2, "transcode-worker": 3,
                   "recs-model-server": 1.5, "web-player": 0.6}
        for comp in NAMES:
            if COMP[comp]["kind"] == "infra" and comp != "coredns":
                continue
            rate = chronic.get(comp, 0.25)
            for t in self.poisson(rate, lambda t: 1.0):
                pod = self.pod(comp)
                n = 1 if r.random() < 0.7 else r.randint(3, 6)
                tt = t
                for i in range(n):
                    msg, sev, reason = self.restart_msg(comp, pod)
                    self.ev(tt, "pod_restart", "k8s", msg, {"pod": pod, "reason": reason, "count": i + 1,
                                                            "namespace": COMP[comp]["ns"]},
                            [comp], sev, "noise", "failure")
                    tt += r.randint(40, 600) * (i + 1)
                if n >= 4:
                    self.alert(t + 900, "KubePodCrashLooping", comp,
                               "Pod %s/%s (%s) is in waiting state (reason: \"CrashLoopBackOff\")." % (COMP[comp]["ns"], pod, comp),
                               "warning", resolve=r.randint(600, 2400))

    def n_alerts(self):
        r = self.rng
        # flapping ClickHouse replication lag alert
        t = self.t0
        while t < self.t1:
            t += r.uniform(35 * MIN, 150 * MIN)
            if abs(t - self.onset) < 40 * MIN and "clickhouse" in self.focus:
                continue
            dur = r.randint(4 * MIN, 22 * MIN)
            self.alert(t, "ClickHouseReplicasLagging", "clickhouse",
                       "Replica chi-clickhouse-0-1 is %ds behind" % r.randint(320, 1900), "warning",
                       cat="flap", resolve=dur, labels={"namespace": "data", "service": "clickhouse",
                                                        "replica": "chi-clickhouse-0-1"})
        # CPU throttling
        for comp in ["cdn-router", "transcode-worker", "recs-model-server", "ingress-nginx"]:
            for t in self.poisson(1.2, lambda t: 0.4 + 0.6 * min(1, traffic(t))):
                self.alert(t, "CPUThrottlingHigh", comp,
                           "%d%% throttling of CPU in namespace %s for container %s." % (r.randint(26, 70), COMP[comp]["ns"], comp),
                           "info", resolve=r.randint(600, 3000))
        for t in self.poisson(2.0, lambda t: 1.0):
            self.alert(t, "KafkaConsumerGroupLagHigh", "events-kafka",
                       "Consumer group %s lag is %d messages" % (r.choice(["watch-history-writer", "etl-loader", "search-indexer"]), r.randint(20000, 400000)),
                       "warning", resolve=r.randint(600, 3600))
        for t in self.poisson(0.8, lambda t: 1.0):
            comp = r.choice(SERVICES)
            self.alert(t, "TargetDown", comp, "100%% of the %s/%s targets are down." % (COMP[comp]["ns"], comp),
                       "warning", resolve=r.randint(180, 900))
        for t in self.poisson(1.0, lambda t: 1.0):
            comp = r.choice(SERVICES)
            self.alert(t, "SLOErrorBudgetBurn", comp, "%s is burning its 30d error budget at %.1fx" % (comp, r.uniform(2, 9)),
                       "warning", resolve=r.randint(900, 5400))
        for t in self.poisson(1.0, lambda t: 1.0):
            node = r.choice(NODES)
            self.alert(t, "NodeHighNumberConntrackEntriesUsed", node, "%d%% conntrack entries are used" % r.randint(75, 92),
                       "warning", resolve=r.randint(600, 2400), labels={"instance": node})

    def n_health(self):
        r = self.rng
        for t in self.poisson(160, lambda t: 0.5 + 0.5 * min(1, traffic(t))):
            comp = r.choice(SERVICES)
            pod = self.pod(comp)
            e = self.ev(t, "health_change", "k8s",
                        "Readiness probe failed for %s: HTTP probe failed with statuscode: 503" % pod,
                        {"pod": pod, "reason": "Unhealthy", "probe": "readiness"}, [comp], "warning", "noise",
                        "failure")
            if e is not None:
                self.ev(t + r.randint(20, 200), "health_change", "k8s", "Pod %s is Ready again (readiness probe passing)" % pod,
                        {"pod": pod, "probe": "readiness"}, [comp], "info", "noise", "benign")

    def n_cron(self):
        r = self.rng
        d = self.t0 - (self.t0 % DAY)
        while d < self.t1:
            # analytics ETL nightly
            t = d + 2 * HOUR + 10 * MIN
            dur = r.randint(30 * MIN, 58 * MIN)
            jid = int(t // 60)
            if r.random() < 0.07:
                self.ev(t + dur, "task_failed", "k8s", "Job data/analytics-etl-%d failed: BackoffLimitExceeded (Job has reached the specified backoff limit)" % jid,
                        {"job": "analytics-etl-%d" % jid}, ["analytics-etl"], "error", "noise", "failure")
                self.alert(t + dur + 60, "KubeJobFailed", "analytics-etl",
                           "Job data/analytics-etl-%d failed to complete." % jid, "warning", resolve=4 * HOUR)
            else:
                self.ev(t + dur, "task_completed", "k8s", "Job data/analytics-etl-%d completed in %dm%02ds" % (jid, dur // 60, dur % 60),
                        {"job": "analytics-etl-%d" % jid}, ["analytics-etl", "clickhouse"], "info", "noise", "benign")
            # catalog full reindex every 6h at :17
            for k in range(4):
                t = d + k * 6 * HOUR + 17 * MIN
                dur = r.randint(9 * MIN, 21 * MIN)
                self.ev(t + dur, "task_completed", "k8s", "Job catalog/catalog-indexer-full-%d completed in %dm%02ds" % (t // 60, dur // 60, dur % 60),
                        {"job": "catalog-indexer-full-%d" % (t // 60)}, ["catalog-indexer"], "info", "noise", "benign")
            # catalog delta indexer every 20 min
            for k in range(72):
                t = d + k * 20 * MIN + 30
                dur = r.randint(40, 150)
                self.ev(t + dur, "task_completed", "k8s", "Job catalog/catalog-indexer-delta-%d completed in %dm%02ds" % (t // 60, dur // 60, dur % 60),
                        {"job": "catalog-indexer-delta"}, ["catalog-indexer"], "info", "noise", "benign")
            # watch-history compaction
            t = d + 3 * HOUR + 30 * MIN
            dur = r.randint(6 * MIN, 14 * MIN)
            self.ev(t + dur, "task_completed", "k8s", "Job data/watch-history-compact-%d completed in %dm%02ds" % (t // 60, dur // 60, dur % 60),
                    {"job": "watch-history-compact"}, ["watch-history-db"], "info", "noise", "benign")
            # nightly renewals (01:07 UTC)
            t = d + HOUR + 7 * MIN
            dur = r.randint(4 * MIN, 9 * MIN)
            self.ev(t + dur, "task_completed", "k8s", "Job billing/billing-worker-renewals-%d completed in %dm%02ds" % (t // 60, dur // 60, dur % 60),
                    {"job": "billing-worker-renewals"}, ["billing-worker"], "info", "noise", "benign")
            # backups
            for db in ["catalog-db", "billing-db", "subscription-db", "account-db", "watch-history-db"]:
                t = d + 3 * HOUR + r.randint(0, 40) * MIN
                self.ev(t, "backup_completed", "velero",
                        "Backup velero/daily-%s-%s completed (%d items backed up, 0 warnings)" % (db, dt.datetime.fromtimestamp(d, UTC).strftime("%Y%m%d"), r.randint(300, 2400)),
                        {"schedule": "daily-" + db}, [db], "info", "noise", "benign")
            # half-hourly reconcile
            for k in range(48):
                t = d + k * 30 * MIN + 90
                if r.random() < 0.015:
                    self.ev(t + 50, "task_failed", "k8s", "Job billing/ledger-reconcile-%d failed: DeadlineExceeded" % (t // 60),
                            {"job": "ledger-reconcile"}, ["billing-api"], "warning", "noise", "failure")
                else:
                    self.ev(t + r.randint(30, 80), "task_completed", "k8s", "Job billing/ledger-reconcile-%d completed in %ds" % (t // 60, r.randint(30, 80)),
                            {"job": "ledger-reconcile"}, ["billing-api"], "info", "noise", "benign")
            d += DAY

    def n_vault(self):
        r = self.rng
        for comp, role in VAULT_ROLES.items():
            hh = r.uniform(0, 24) * HOUR
            d = self.t0 - (self.t0 % DAY)
            while d < self.t1:
                t = d + hh + r.randint(0, 120)
                e = self.ev(t, "secret_rotation", "vault",
                            "Vault: rotated static role credentials database/static-creds/%s (next rotation in 24h)" % role,
                            {"role": role, "mount": "database"}, [comp], "info", "noise", "change")
                if e is not None:
                    ns = COMP[comp]["ns"]
                    self.ev(t + r.randint(15, 90), "pod_restart", "reloader",
                            "Changes detected in '%s-db-creds' of type 'SECRET' in namespace '%s'; updated '%s' of type 'Deployment' in namespace '%s'" % (comp, ns, comp, ns),
                            {"secret": comp + "-db-creds", "workload": comp}, [comp], "info", "noise", "benign")
                d += DAY

    def n_certs(self):
        r = self.rng
        for t in self.poisson(0.8, lambda t: 1.0):
            cert = r.choice(CERTS)
            comp = {"edge": "ingress-nginx", "playback": "drm-license", "identity": "auth-service",
                    "billing": "payment-gateway", "data": "events-ingest", "catalog": "artwork-service"}[cert.split("/")[0]]
            exp = iso(t + 90 * DAY)[:10]
            self.ev(t, "cert_renewal", "cert-manager", "Certificate %s renewed; new certificate valid until %s" % (cert, exp),
                    {"certificate": cert, "issuer": "letsencrypt-prod"}, ["cert-manager", comp], "info", "noise", "change")

    def n_agent(self):
        r = self.rng
        for t in self.poisson(45 / 0.55, lambda t: office(t, 1) * 0.5 + office(t, -5) * 0.5):
            comp = r.choice(SERVICES)
            x = r.random()
            if x < 0.6:
                n = r.randint(80, 900)
                if r.random() < 0.1:
                    self.ev(t, "task_failed", "agent", "agent: test suite for %s failed (%d of %d tests)" % (comp, r.randint(1, 4), n),
                            {"task": "tests"}, [comp], "warning", "noise", "failure")
                else:
                    self.ev(t, "task_completed", "agent", "agent: ran test suite for %s, %d passed" % (comp, n),
                            {"task": "tests"}, [comp], "info", "noise", "benign")
            elif x < 0.85:
                self.pr += 1
                res = r.choice(RES.get(comp, ["handlers"]))
                self.ev(t, "task_completed", "agent", "agent: opened PR #%d \"%s: %s\"" % (self.pr, comp, r.choice(PHRASES).format(r=res)),
                        {"task": "pull_request", "pr": self.pr}, [comp], "info", "noise", "benign")
            else:
                self.ev(t, "task_completed", "agent", "agent: summarized on-call handoff notes for %s" % COMP[comp]["team"],
                        {"task": "summary"}, [comp], "info", "noise", "benign")

    def n_phoenix(self):
        r = self.rng
        for t in self.poisson(5, lambda t: 1.0):
            comp = r.choice(["recs-model-server", "recs-api", "search-api"])
            span = {"recs-model-server": "rank_candidates", "recs-api": "build_home_rows", "search-api": "vector_query"}[comp]
            a = r.randint(180, 400)
            self.ev(t, "trace_anomaly", "phoenix", "Phoenix: latency drift on span '%s' (%s): p95 %dms vs baseline %dms" % (span, comp, int(a * r.uniform(1.6, 2.8)), a),
                    {"span": span}, [comp], "warning", "noise", "failure")
        for t in self.poisson(3, lambda t: 0.3 + 0.7 * min(1, traffic(t))):
            self.ev(t, "stack_activation", "layer-activator", "layer-activator: activated stack 'recs-gpu-warm' (2 x g5.xlarge) for recs-model-server",
                    {"stack": "recs-gpu-warm"}, ["recs-model-server"], "info", "noise", "benign")
            self.ev(t + r.randint(40, 180) * MIN, "stack_deactivation", "layer-activator",
                    "layer-activator: deactivated stack 'recs-gpu-warm' after idle timeout", {"stack": "recs-gpu-warm"},
                    ["recs-model-server"], "info", "noise", "benign")

    def n_nodes(self):
        r = self.rng
        size = 2
        nid = 0
        live = []
        t = self.t0
        while t < self.t1:
            t += r.uniform(20 * MIN, 70 * MIN)
            want = 1 + round(4 * self.keda_load("transcode-worker", t))
            if want > size:
                self.ev(t, "scaling", "cluster-autoscaler", "Scale-up: setting group pool-transcode size to %d instead of %d (max: 8)" % (want, size),
                        {"group": "pool-transcode", "from": size, "to": want}, ["cluster-autoscaler"], "info", "noise", "benign")
                for _ in range(want - size):
                    nid += 1
                    n = "pool-transcode-%s" % "".join(r.choice(K8S_ALPHA) for _ in range(4))
                    live.append(n)
                    self.ev(t + r.randint(70, 160), "node_event", "k8s", "Node %s status is now: NodeReady" % n,
                            {"node": n}, [n], "info", "noise", "benign")
                size = want
            elif want < size and live:
                n = live.pop()
                e = self.ev(t, "node_event", "cluster-autoscaler", "Scale-down: removing empty node %s" % n,
                            {"node": n, "group": "pool-transcode"}, ["cluster-autoscaler", n], "info", "noise", "change")
                if e is not None:
                    size -= 1
                else:
                    live.append(n)
        # general pool drains with evictions of unrelated pods
        for t in self.poisson(1.5, lambda t: 1.0 if traffic(t) < 0.6 else 0.1):
            node = r.choice(NODES[:3])
            victims = [c for c in r.sample(SERVICES, 3) if c not in self.focus]
            pods = ", ".join(self.pod(c) for c in victims)
            e = self.ev(t, "node_event", "cluster-autoscaler",
                        "Scale-down: node %s removed (utilization %.2f); drained pods: %s" % (node, r.uniform(0.2, 0.45), pods),
                        {"node": node, "evicted": victims}, ["cluster-autoscaler", node] + victims, "info", "noise", "change")
            if e is not None:
                self.ev(t + r.randint(20, 60) * MIN, "node_event", "cluster-autoscaler",
                        "Scale-up: node %s added to pool-general (pending pods: %d)" % (node, r.randint(1, 6)),
                        {"node": node}, ["cluster-autoscaler", node], "info", "noise", "benign")
        for t in self.poisson(0.3, lambda t: 1.0):
            node = r.choice(NODES)
            e = self.ev(t, "node_event", "k8s", "Node %s status is now: NodeNotReady" % node, {"node": node},
                        [node], "warning", "noise", "failure")
            if e is not None:
                self.ev(t + r.randint(60, 400), "node_event", "k8s", "Node %s status is now: NodeReady" % node, {"node": node},
                        [node], "info", "noise", "benign")

    def n_incidents(self):
        r = self.rng
        for t in self.poisson(0.55, lambda t: 1.0, self.t0 + HOUR, self.t1 - HOUR):
            if self.onset - 4 * HOUR <= t <= self.onset + 2 * HOUR:
                continue
            cands = [c for c in SERVICES if c not in self.focus and c not in self.siblings
                     and not (COMP[c]["scaler"] == "keda")]
            comp = r.choice(cands)
            self.incident(t, comp, tag="noise")

    def incident(self, t, comp, tag="noise", bad_deploy=None):
        r = self.rng
        c = COMP[comp]
        if bad_deploy is None:
            bad_deploy = r.random() < 0.6
        prev, prev_hid = self.current_sha[comp], self.hist[comp]
        before = [e for e in self.events if e["type"] == "deployment" and e["comps"] == [comp] and e["t"] < t - HOUR]
        if before:
            last = max(before, key=lambda e: e["t"])
            prev, prev_hid = last["details"]["sha"], last["details"]["history_id"]
        if bad_deploy:
            sha, e = self.commit(t - r.randint(25, 60) * MIN, comp, self.commit_subject(comp), tag=tag)
            self.deploy(t - r.randint(4, 20) * MIN, comp, sha, tag=tag, how="manual")
        name = r.choice(["HighErrorRate", "HighLatencyP99", "SLOErrorBudgetBurn"])
        self.alert(t, name, comp, "%s: %s above threshold" % (comp, "5xx ratio" if name != "HighLatencyP99" else "p99"),
                   "error", tag=tag, resolve=r.randint(40, 90) * MIN)
        self.inc += 1
        self.ev(t + r.randint(3, 10) * MIN, "incident", "incident.io",
                "INC-%d declared (sev%d): %s %s" % (self.inc, r.choice([2, 3]), comp,
                                                    r.choice(["elevated 5xx", "latency degradation", "partial outage in eu-west-1"])),
                {"incident": "INC-%d" % self.inc, "status": "investigating"}, [comp], "error", tag, "failure")
        if bad_deploy:
            self.deploy(t + r.randint(15, 35) * MIN, comp, prev, tag=tag, how="rollback", hid=prev_hid)
        self.ev(t + r.randint(50, 110) * MIN, "incident", "incident.io", "INC-%d resolved: %s back to normal" % (self.inc, comp),
                {"incident": "INC-%d" % self.inc, "status": "resolved"}, [comp], "info", tag, "benign")

    def n_misc(self):
        r = self.rng
        gone = r.choice(["legacy-subtitle-sync", "old-epg-importer", "beta-watch-party"])
        t = self.t0 + r.uniform(0.5, 4.5) * DAY
        self.ev(t, "component_removed", "argocd", "Application %s deleted (cascade) by %s" % (gone, self.user()),
                {"app": gone}, [gone], "info", "noise", "change")

    # ------------------------------------------------------------------ scenario helpers
    def generic_decoys(self, n=2):
        """n unrelated changes in the 2-25 minutes before onset, on components unrelated to the scenario."""
        r = self.rng
        bad = self.focus | self.siblings | set(self.sc.get("avoid", []))
        cands = [c for c in SERVICES if c not in bad and COMP[c]["kind"] != "ui"]
        picks = r.sample(cands, n)
        for i, comp in enumerate(picks):
            d = r.randint(2, 25) * MIN + r.randint(0, 59)
            if i % 2 == 0:
                sha, _ = self.commit(self.onset - d - r.randint(12, 40) * MIN, comp, self.commit_subject(comp), tag="decoy")
                self.deploy(self.onset - d, comp, sha, tag="decoy", how=r.choice(["auto", "manual"]))
            else:
                typ, src, desc, det = self.config_desc(comp)
                self.ev(self.onset - d, typ, src, desc, det, [comp], "info", "decoy")

    def clean_deploy(self, comp, before):
        sha, _ = self.commit(self.onset - before - self.rng.randint(15, 45) * MIN, comp, self.commit_subject(comp), tag="benign")
        self.deploy(self.onset - before, comp, sha, tag="benign")

    def agent_ok(self, comp, before):
        self.ev(self.onset - before, "task_completed", "agent", "agent: ran test suite for %s, %d passed" % (comp, self.rng.randint(100, 700)),
                {"task": "tests"}, [comp], "info", "benign")

    def scale_ups(self, comp, n=3, span=3 * HOUR):
        r = self.rng
        cur = max(2, COMP[comp]["base"])
        for i in range(n):
            t = self.onset - span + (i + 1) * span / (n + 1) + r.randint(-300, 300)
            nxt = cur + r.randint(1, 3)
            self.ev(t, "scaling", "k8s", "New size: %d; reason: cpu resource utilization (percentage of request) above target" % nxt,
                    {"hpa": comp, "from": cur, "to": nxt}, [comp], "info", "benign")
            cur = nxt

    def train(self, start, comps, tag="decoy"):
        r = self.rng
        t = start
        for comp in comps:
            sha, _ = self.commit(t - r.randint(2, 20) * HOUR // 10, comp, self.commit_subject(comp), tag=tag)
            self.deploy(t, comp, sha, tag=tag, how="manual", user="release-bot")
            t += r.randint(40, 110)


# ----------------------------------------------------------------------------- scenarios
# Each script(S) writes cause, decoy, symptom and response events and returns the markers.
def cause(S, t, typ, src, desc, det, comps, sev="info"):
    return S.ev(t, typ, src, desc, det, comps, sev, "cause")


def sym(S, t, typ, src, desc, det, comps, sev="error"):
    return S.ev(t, typ, src, desc, det, comps, sev, "symptom")


def symalert(S, t, name, comp, summary, sev="error", resolve=None, labels=None):
    return S.alert(t, name, comp, summary, sev, tag="symptom", resolve=resolve, labels=labels)


def crashloop(S, comp, start, n, msg_fn, sev="error"):
    r = S.rng
    t = start
    pod = S.pod(comp)
    for i in range(n):
        sym(S, t, "pod_restart", "k8s", msg_fn(pod, i), {"pod": pod, "count": i + 1}, [comp], sev)
        t += int(10 * (2 ** min(i, 5))) + r.randint(5, 30)


def s_flag_manifest(S):
    r, T = S.rng, S.onset
    S.clean_deploy("manifest-service", 16 * HOUR + r.randint(0, 3600))
    d = "Feature flag 'playback.ssai-scte35-passthrough' enabled in production by tomas.r: rollout 0% -> 100% (all users)"
    cause(S, T - 35 * MIN - r.randint(0, 300), "feature_flag", "launchdarkly", d,
          {"flag": "playback.ssai-scte35-passthrough", "environment": "production", "from": 0, "to": 100}, ["manifest-service"])
    S.generic_decoys()
    sha, _ = S.commit(T - 40 * MIN, "playback-session", S.commit_subject("playback-session"), tag="decoy")
    S.deploy(T - 8 * MIN, "playback-session", sha, tag="decoy")
    symalert(S, T, "ManifestService5xxRatioHigh", "manifest-service", "5xx ratio 7.4% on GET /v1/manifests/{id}.mpd (SLO 0.5%)")
    sym(S, T + 140, "health_change", "argocd", "Application manifest-service health status changed: Healthy -> Degraded",
        {"app": "manifest-service"}, ["manifest-service"], "warning")
    sym(S, T + 9 * MIN, "incident", "incident.io", "INC-%d declared (sev2): manifest-service failing to build DASH manifests with ad markers" % (S.inc + 7),
        {"status": "investigating"}, ["manifest-service"], "critical")
    S.ev(T + 31 * MIN, "feature_flag", "launchdarkly", "Feature flag 'playback.ssai-scte35-passthrough' turned off in production by jonas.b (kill switch)",
         {"flag": "playback.ssai-scte35-passthrough"}, ["manifest-service"], "info", "response")
    return [d]


def s_migration_entitlement(S):
    r, T = S.rng, S.onset
    subj = "feat(subscription-api)!: drop legacy plan_code column, read plan from plan_versions (#%d)" % (S.pr + 11)
    sha, _ = S.commit(T - 44 * MIN, "subscription-api", subj, tag="cause", author="li.wei")
    dep = S.deploy(T - 8 * MIN, "subscription-api", sha, tag="cause", how="manual", user="li.wei")
    mig = "Flyway: Successfully applied 1 migration to schema \"subscriptions\" (V231__drop_subscriptions_plan_code), now at version v231"
    cause(S, T - 7 * MIN, "migration", "flyway", mig, {"db": "subscription-db", "version": 231},
          ["subscription-api", "subscription-db"])
    S.generic_decoys()
    S.ev(T - 20 * MIN, "config_change", "terraform", "ElastiCache parameter group entitlement-cache-redis7 modified: maxmemory 2gb -> 3gb",
         {"parameter": "maxmemory"}, ["entitlement-cache"], "info", "decoy")
    S.scale_ups("entitlement-api", 2)
    symalert(S, T, "HighErrorRate", "entitlement-api", "entitlement-api: 5xx ratio 31% on GET /v1/entitlements")
    crash_t = T + 60
    for i in range(4):
        sym(S, crash_t + i * 150, "alert", "collector",
            "entitlement-api: ERROR: column s.plan_code does not exist (SQLSTATE 42703) querying subscription-db",
            {"sqlstate": "42703"}, ["entitlement-api", "subscription-db"], "error")
    sym(S, T + 6 * MIN, "incident", "incident.io", "INC-%d declared (sev1): users losing access to paid content, entitlement checks failing" % (S.inc + 3),
        {}, ["entitlement-api"], "critical")
    return [subj, dep, mig]


def s_quota_transcode(S):
    r, T = S.rng, S.onset
    subj = "prod: transcode-worker keda.minReplicaCount 2 -> 40 for premiere weekend (values-prod.yaml)"
    sha, _ = S.commit(T - 13 * MIN, "transcode-worker", subj, tag="cause", author="ines.v", repo="streamly/platform-gitops")
    dep = S.deploy(T - 4 * MIN, "transcode-worker", sha, tag="cause", how="auto")
    S.ev(T - 3 * MIN, "scaling", "k8s", "New size: 40; reason: Current number of replicas below Spec.MinReplicas",
         {"hpa": "keda-hpa-transcode-worker", "to": 40}, ["transcode-worker"], "info", "benign")
    S.generic_decoys()
    msg = ("Error creating: pods \"transcode-worker-%s-%s\" is forbidden: exceeded quota: media-compute, requested: requests.cpu=4, used: requests.cpu=98, limited: requests.cpu=100"
           % (S.state_hash["transcode-worker"], "".join(r.choice(K8S_ALPHA) for _ in range(5))))
    for i in range(6):
        sym(S, T + i * 70, "health_change", "k8s", msg, {"reason": "FailedCreate"}, ["transcode-worker"], "warning")
    symalert(S, T + 5 * MIN, "TranscodeQueueBacklogHigh", "transcode-worker", "encode queue depth 1840 (> 500 for 5m)", "error")
    return [subj, dep]


def s_loglevel_disk(S):
    r, T = S.rng, S.onset
    d = "ConfigMap data/events-ingest-config updated by priya.n: LOG_LEVEL changed from \"info\" to \"debug\" (kubectl edit)"
    cause(S, T - 5 * HOUR - 30 * MIN - r.randint(0, 600), "config_change", "k8s", d,
          {"key": "LOG_LEVEL", "old": "info", "new": "debug"}, ["events-ingest"])
    S.generic_decoys()
    sha, _ = S.commit(T - 50 * MIN, "watch-history-api", S.commit_subject("watch-history-api"), tag="decoy")
    S.deploy(T - 15 * MIN, "watch-history-api", sha, tag="decoy")
    S.ev(T - 2 * HOUR, "alert", "alertmanager", "[FIRING:1] KubePersistentVolumeFillingUp (namespace=data persistentvolumeclaim=spool-events-ingest-0) Based on recent sampling, the PersistentVolume claimed by spool-events-ingest-0 is expected to fill up within four hours.",
         {"alertname": "KubePersistentVolumeFillingUp"}, ["events-ingest"], "warning", "symptom")
    for i in range(3):
        pod = "events-ingest-%d" % i
        sym(S, T + i * 95, "pod_restart", "k8s", "Container events-ingest in pod %s terminated: Error (exit code 1): write /var/spool/events/seg-%06d.log: no space left on device" % (pod, r.randint(1000, 9999)),
            {"pod": pod}, ["events-ingest"], "error")
    symalert(S, T + 4 * MIN, "KubePersistentVolumeErrors", "events-ingest", "The persistent volume spool-events-ingest-0 is 100% full.", "critical")
    return [d]


def s_cron_herd(S):
    r, T = S.rng, S.onset
    subj = "billing-worker: move renewals CronJob to 09:00 UTC and raise parallelism to 40 (hits billing-db)"
    sha, _ = S.commit(T - 3 * HOUR - 11 * MIN, "billing-worker", subj, tag="cause", author="carlos.d")
    dep = S.deploy(T - 3 * HOUR - 2 * MIN, "billing-worker", sha, tag="cause", how="manual", user="carlos.d")
    sha2, _ = S.commit(T - 70 * MIN, "billing-api", S.commit_subject("billing-api"), tag="decoy")
    S.deploy(T - 40 * MIN, "billing-api", sha2, tag="decoy", how="manual")
    S.generic_decoys()
    jid = (T - 40) // 60
    S.ev(T - 40, "scaling", "k8s", "Job billing/billing-worker-renewals-%d: created 40 pods (parallelism 40)" % jid,
         {"job": "billing-worker-renewals"}, ["billing-worker"], "info", "symptom")
    symalert(S, T, "PostgresConnectionsSaturated", "billing-db", "billing-db: 497/500 connections in use", "critical",
             labels={"namespace": "billing", "service": "billing-db", "instance": "billing-db-0"})
    symalert(S, T + 90, "PostgresSlowQueries", "billing-db", "p95 query time 4.8s on billing-db", "error")
    sym(S, T + 5 * MIN, "pod_restart", "k8s", "Back-off restarting failed container billing-worker in pod billing-worker-renewals-%d-%s" % (jid, "xk2fp"),
        {}, ["billing-worker"], "warning")
    return [subj, dep]


def s_ratelimit_mobile(S):
    r, T = S.rng, S.onset
    S.clean_deploy("mobile-bff", 16 * HOUR + r.randint(0, 3000))
    subj = "edge: tighten mobile-bff ingress rate limit (limit-rps 200 -> 20) after scraping spike (#%d)" % (S.pr + 5)
    S.commit(T - 58 * MIN, "mobile-bff", subj, tag="cause", author="femi.a", repo="streamly/platform-gitops")
    d = "Ingress edge/mobile-bff annotations changed: nginx.ingress.kubernetes.io/limit-rps \"200\" -> \"20\" (synced by argocd)"
    cause(S, T - 50 * MIN, "config_change", "argocd", d, {"kind": "Ingress", "annotation": "nginx.ingress.kubernetes.io/limit-rps"},
          ["mobile-bff", "ingress-nginx"])
    sha, _ = S.commit(T - 35 * MIN, "tv-app-bff", S.commit_subject("tv-app-bff"), tag="decoy")
    S.deploy(T - 6 * MIN, "tv-app-bff", sha, tag="decoy")
    S.generic_decoys(1)
    S.scale_ups("mobile-bff", 3, 2 * HOUR)
    symalert(S, T, "HighHTTP429Ratio", "mobile-bff", "ingress mobile-bff: 23% of responses are 429 Too Many Requests")
    sym(S, T + 7 * MIN, "incident", "incident.io", "INC-%d declared (sev2): mobile app users see 'Too many requests' errors" % (S.inc + 2),
        {}, ["mobile-bff"], "error")
    return [subj, d]


def s_baseimage_tls(S):
    r, T = S.rng, S.onset
    S.clean_deploy("drm-license", 18 * HOUR)
    subj = "chore(deps): update eclipse-temurin docker tag to v21.0.5_11-jre-alpine"
    sha, _ = S.commit(T - 57 * MIN, "drm-license", subj, tag="cause", author="renovate[bot]")
    dep = S.deploy(T - 35 * MIN, "drm-license", sha, tag="cause")
    S.ev(T - 2 * HOUR, "config_change", "k8s", "ConfigMap playback/drm-keystore-config updated by oskar.l: METRICS_PUSH_INTERVAL changed from \"30s\" to \"15s\"",
         {"key": "METRICS_PUSH_INTERVAL"}, ["drm-keystore"], "info", "decoy")
    S.generic_decoys()
    for i in range(5):
        sym(S, T + i * 40, "alert", "collector",
            "drm-license: javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path to requested target (drm-keystore:8443)",
            {"exception": "SSLHandshakeException"}, ["drm-license"], "error")
    symalert(S, T + 2 * MIN, "DRMLicenseErrorRateHigh", "drm-license", "license issuance failing for 64% of requests", "critical")
    return [subj, dep]


def s_stripe_version(S):
    r, T = S.rng, S.onset
    d = "Stripe account settings changed via Dashboard by finance-ops: default API version 2024-06-20 -> 2026-10-28.acacia"
    cause(S, T - 25 * MIN - r.randint(0, 300), "config_change", "stripe", d, {"setting": "api_version"}, ["payment-gateway"])
    sha, _ = S.commit(T - 30 * MIN, "billing-api", S.commit_subject("billing-api"), tag="decoy")
    S.deploy(T - 7 * MIN, "billing-api", sha, tag="decoy", how="manual")
    S.ev(T - 18 * MIN, "config_change", "k8s", "ConfigMap billing/subscription-api-config updated by aisha.m: SUBSCRIPTION_GRACE_DAYS changed from \"3\" to \"5\"",
         {}, ["subscription-api"], "info", "decoy")
    symalert(S, T, "PaymentAuthorizationFailuresHigh", "payment-gateway", "card authorization failure ratio 41% (invalid_request_error)")
    for i in range(3):
        sym(S, T + 30 + i * 60, "alert", "collector", "payment-gateway: stripe invalid_request_error: Received unknown parameter: payment_method_options[card][request_three_d_secure]",
            {}, ["payment-gateway"], "error")
    return [d]


def s_vault_noreload(S):
    r, T = S.rng, S.onset
    S.clean_deploy("watch-history-api", 11 * HOUR)
    d = "Vault: rotated static role credentials database/static-creds/wh_app (manual rotate-role by hana.s)"
    cause(S, T - 70 * MIN - r.randint(0, 240), "secret_rotation", "vault", d, {"role": "wh_app", "mount": "database"},
          ["watch-history-api", "watch-history-db"])
    S.generic_decoys()
    for i in range(4):
        sym(S, T + i * 45, "alert", "collector", "watch-history-api: FATAL: password authentication failed for user \"wh_app\" (watch-history-db:5432)",
            {}, ["watch-history-api"], "error")
    crashloop(S, "watch-history-api", T + 100, 4, lambda p, i: "Readiness probe failed for %s: HTTP probe failed with statuscode: 500" % p, "warning")
    return [d]


def s_hpa_min(S):
    r, T = S.rng, S.onset
    tc = T - 9 * HOUR - 20 * MIN - r.randint(0, 600)
    d = "HorizontalPodAutoscaler playback/playback-session: minReplicas 12 -> 3 (FINOPS-212 right-sizing)"
    S.hpa_override["playback-session"] = (tc, 3)
    cause(S, tc, "config_change", "argocd", d, {"kind": "HorizontalPodAutoscaler", "field": "minReplicas", "old": 12, "new": 3},
          ["playback-session"])
    S.generic_decoys()
    symalert(S, T, "PlaybackSessionP99LatencyHigh", "playback-session", "p99 3.4s on POST /v1/sessions (threshold 800ms)")
    sym(S, T + 60, "health_change", "k8s", "Readiness probe failed for %s: HTTP probe failed with statuscode: 503" % S.pod("playback-session"),
        {}, ["playback-session"], "warning")
    sym(S, T + 4 * MIN, "incident", "incident.io", "INC-%d declared (sev2): playback start failures during evening peak" % (S.inc + 5),
        {}, ["playback-session"], "error")
    return [d]


def s_autoscaler_evict(S):
    r, T = S.rng, S.onset
    d = "Scale-down: node pool-stateful-b2 removed (utilization 0.31); drained pods: profile-cache-1, analytics-etl-0"
    cause(S, T - 11 * MIN, "node_event", "cluster-autoscaler", d, {"node": "pool-stateful-b2", "evicted": ["profile-cache", "analytics-etl"]},
          ["cluster-autoscaler", "pool-stateful-b2", "profile-cache", "analytics-etl"])
    d2 = "Evicted pod identity/profile-cache-1: node pool-stateful-b2 is being drained by cluster-autoscaler"
    cause(S, T - 10 * MIN, "pod_restart", "k8s", d2, {"pod": "profile-cache-1", "reason": "Evicted"}, ["profile-cache"], "warning")
    S.generic_decoys()
    S.scale_ups("profile-api", 2, 2 * HOUR)
    symalert(S, T, "ProfileApiLatencyHigh", "profile-api", "p95 1.9s on GET /v1/profiles (4x baseline)")
    symalert(S, T + 45, "RedisCacheHitRatioLow", "profile-cache", "profile-cache hit ratio 12% (baseline 94%)", "warning")
    return [d, d2]


def s_jvm_search(S):
    r, T = S.rng, S.onset
    S.clean_deploy("search-api", 14 * HOUR)
    subj = "perf(search-api): shrink JVM heap to fit new 2Gi limit (-Xmx3g -> -Xmx1g, switch to SerialGC) (#%d)" % (S.pr + 9)
    sha, _ = S.commit(T - 62 * MIN, "search-api", subj, tag="cause", author="dev.patel")
    dep = S.deploy(T - 40 * MIN, "search-api", sha, tag="cause")
    sha2, _ = S.commit(T - 30 * MIN, "search-indexer", S.commit_subject("search-indexer"), tag="decoy")
    S.deploy(T - 9 * MIN, "search-indexer", sha2, tag="decoy")
    S.generic_decoys()
    symalert(S, T, "SearchLatencyHigh", "search-api", "p99 5.2s on GET /v2/search (threshold 1s)")
    for i in range(3):
        sym(S, T + 50 + i * 120, "trace_anomaly", "phoenix", "Phoenix: latency spike on span 'vector_query' (search-api): p95 %dms vs baseline 240ms; GC pause share 38%%" % r.randint(2500, 4800),
            {}, ["search-api"], "warning")
    return [subj, dep]


def s_cachettl_catalogdb(S):
    r, T = S.rng, S.onset
    d = "ConfigMap catalog/catalog-api-config updated by jonas.b: TITLE_CACHE_TTL_SECONDS changed from \"3600\" to \"5\""
    cause(S, T - 95 * MIN - r.randint(0, 600), "config_change", "k8s", d, {"key": "TITLE_CACHE_TTL_SECONDS", "old": "3600", "new": "5"},
          ["catalog-api"])
    S.generic_decoys()
    S.ev(T - 10 * MIN, "task_completed", "k8s", "Job catalog/catalog-indexer-delta-%d completed in 2m11s" % ((T - 10 * MIN) // 60),
         {}, ["catalog-indexer"], "info", "decoy")
    S.scale_ups("catalog-api", 2, 2 * HOUR)
    symalert(S, T, "PostgresCPUHigh", "catalog-db", "catalog-db CPU at 99% for 5m; 1,800 active queries", "critical")
    symalert(S, T + 80, "PostgresSlowQueries", "catalog-db", "p95 query time 3.1s on catalog-db", "error")
    return [d]


def s_mtls_invoice(S):
    r, T = S.rng, S.onset
    d = "PeerAuthentication billing/invoice-renderer-strict created: selector app=invoice-renderer, mtls.mode STRICT (was PERMISSIVE)"
    cause(S, T - 20 * MIN - r.randint(0, 200), "config_change", "argocd", d, {"kind": "PeerAuthentication"}, ["istiod", "invoice-renderer"])
    S.generic_decoys()
    for i in range(4):
        sym(S, T + i * 60, "alert", "collector", "invoice-renderer: upstream connect error or disconnect/reset before headers. reset reason: connection termination (caller: reporting-cron)",
            {}, ["invoice-renderer"], "error")
    symalert(S, T + 3 * MIN, "InvoiceRenderFailuresHigh", "invoice-renderer", "62% of render requests failing")
    return [d]


def s_rollback_account(S):
    r, T = S.rng, S.onset
    # the old version, 5 days earlier, and the schema change it predates
    osubj = S.commit_subject("account-api")
    osha, _ = S.commit(T - 5 * DAY - 2 * HOUR, "account-api", osubj, tag="benign")
    od = S.deploy(T - 5 * DAY - 90 * MIN, "account-api", osha, tag="benign", how="manual")
    ohid = od["details"]["history_id"]
    S.ev(T - 3 * DAY, "migration", "flyway", "Flyway: Successfully applied 1 migration to schema \"accounts\" (V88__signup_consent_columns_not_null), now at version v88",
         {}, ["account-api", "account-db"], "info", "benign")
    fsha, _ = S.commit(T - 3 * DAY - 20 * MIN, "account-api", "fix(account-api): write consent columns on signup (#%d)" % (S.pr + 2), tag="benign")
    S.deploy(T - 3 * DAY + 5 * MIN, "account-api", fsha, tag="benign", how="manual")
    nsubj = "feat(account-api): new password policy endpoint (#%d)" % (S.pr + 4)
    nsha, _ = S.commit(T - 75 * MIN, "account-api", nsubj, tag="decoy")
    S.deploy(T - 50 * MIN, "account-api", nsha, tag="decoy", how="manual", user="sam.o")
    rb = S.deploy(T - 24 * MIN, "account-api", osha, tag="cause", how="rollback", user="sam.o", hid=ohid)
    S.generic_decoys()
    symalert(S, T, "SignupErrorRateHigh", "account-api", "POST /v1/signup 5xx ratio 88%")
    for i in range(3):
        sym(S, T + 40 + i * 90, "alert", "collector", "account-api: ERROR: null value in column \"marketing_consent\" of relation \"accounts\" violates not-null constraint (account-db)",
            {}, ["account-api"], "error")
    return [rb]


def s_since_lunch(S):
    r, T = S.rng, S.onset
    subj = "feat(checkout): call fraud-score synchronously before creating subscription (#%d)" % (S.pr + 3)
    sha, _ = S.commit(T - 60 * MIN, "subscription-api", subj, tag="cause", author="aisha.m")
    dep = S.deploy(T - 35 * MIN, "subscription-api", sha, tag="cause", how="manual", user="aisha.m")
    S.generic_decoys()
    symalert(S, T, "HighLatencyP99", "subscription-api", "subscription-api: p99 above threshold (4.1s on POST /v1/subscriptions)", "warning")
    for k in range(1, 6):
        symalert(S, T + k * 17 * MIN, "HighLatencyP99", "subscription-api", "subscription-api: p99 above threshold (%.1fs on POST /v1/subscriptions)" % r.uniform(3, 6), "warning")
    # responses between onset and --at
    S.ev(T + 50 * MIN, "config_change", "terraform", "RDS parameter group subscription-db-pg15 modified: max_connections 200 -> 300 (apply_method=pending-reboot)",
         {}, ["subscription-db"], "info", "response")
    S.ev(T + 65 * MIN, "config_change", "argocd", "HorizontalPodAutoscaler billing/subscription-api: maxReplicas 15 -> 25",
         {}, ["subscription-api"], "info", "response")
    return [subj, dep]


def s_dependabot_worker(S):
    r, T = S.rng, S.onset
    S.keda_off["billing-worker"] = (T - 3 * HOUR - 20 * MIN, T + 2 * HOUR)
    subj = "Bump github.com/segmentio/kafka-go from 0.4.42 to 0.4.47"
    sha, _ = S.commit(T - 3 * HOUR, "billing-worker", subj, tag="cause", author="dependabot[bot]")
    dep = S.deploy(T - 2 * HOUR - 40 * MIN, "billing-worker", sha, tag="cause")
    sha2, _ = S.commit(T - 45 * MIN, "billing-api", S.commit_subject("billing-api"), tag="decoy")
    S.deploy(T - 10 * MIN, "billing-api", sha2, tag="decoy", how="manual")
    S.generic_decoys(1)
    S.ev(T - 60, "scaling", "keda", "Scaled apps/v1.Deployment billing/billing-worker from 0 to 4", {"reason": "KEDAScaleTargetActivated"},
         ["billing-worker"], "info", "benign")
    crashloop(S, "billing-worker", T, 7, lambda p, i: ("Container billing-worker in pod %s exited with code 2 (Error): panic: runtime error: invalid memory address or nil pointer dereference [kafka.(*Reader).FetchMessage]" % p)
              if i % 2 == 0 else "Back-off restarting failed container billing-worker in pod %s" % p)
    symalert(S, T + 12 * MIN, "KubePodCrashLooping", "billing-worker", "Pod billing/billing-worker is in waiting state (reason: \"CrashLoopBackOff\").", "warning")
    return [subj, dep]


def s_dns_cdn(S):
    r, T = S.rng, S.onset
    d = "Route53 UPSERT origin.streamly.tv A 203.0.113.40 -> 198.51.100.17 (TTL 300) by terraform (workspace prod-dns)"
    cause(S, T - 6 * MIN - r.randint(0, 120), "dns_change", "route53", d, {"record": "origin.streamly.tv", "type": "A"}, ["cdn-router"])
    S.generic_decoys()
    symalert(S, T, "CDNRouterOriginErrorsHigh", "cdn-router", "38% of origin fetches failing (connect timeout)", "critical")
    sym(S, T + 3 * MIN, "incident", "incident.io", "INC-%d declared (sev1): video segments failing to load for a share of viewers" % (S.inc + 4),
        {}, ["cdn-router"], "critical")
    return [d]


def s_pool_account(S):
    r, T = S.rng, S.onset
    d = "ConfigMap identity/profile-api-config updated by dev.patel: ACCOUNT_DB_POOL_MAX changed from \"10\" to \"150\" (account-db)"
    cause(S, T - 42 * MIN - r.randint(0, 300), "config_change", "k8s", d, {"key": "ACCOUNT_DB_POOL_MAX", "old": "10", "new": "150"}, ["profile-api"])
    S.scale_ups("profile-api", 2, 35 * MIN)
    S.scale_ups("account-api", 1, 2 * HOUR)
    S.generic_decoys()
    for i in range(4):
        sym(S, T + i * 50, "alert", "collector", "account-api: FATAL: sorry, too many clients already (account-db:5432)", {}, ["account-api", "account-db"], "error")
    symalert(S, T + 2 * MIN, "PostgresConnectionsSaturated", "account-db", "account-db: 400/400 connections in use", "critical")
    return [d]


def s_flag_recs_train(S):
    r, T = S.rng, S.onset
    d = "Feature flag 'recs.realtime-features' enabled in production for all users by nina.p (was: internal only)"
    cause(S, T - 40 * MIN - r.randint(0, 300), "feature_flag", "launchdarkly", d, {"flag": "recs.realtime-features"}, ["recs-api"])
    pool = [c for c in SERVICES if not c.startswith("recs") and COMP[c]["team"] not in ("discovery",)]
    S.train(T - 15 * MIN, r.sample(pool, 10))
    symalert(S, T, "RecsApiTimeouts", "recs-api", "recs-api: 34% of GET /v1/home-rows timing out (2s deadline)")
    sym(S, T + 5 * MIN, "incident", "incident.io", "INC-%d declared (sev2): home screen recommendation rows empty" % (S.inc + 6), {}, ["recs-api"], "error")
    return [d]


# --- none
def n_playback_peak(S):
    T = S.onset
    S.scale_ups("playback-api", 4, 3 * HOUR)
    S.generic_decoys()
    symalert(S, T, "HighLatencyP99", "playback-api", "playback-api: p99 above threshold (1.3s on POST /v1/playback-intents)", "warning")
    return []


def n_billing_docs(S):
    T = S.onset
    S.commit(T - 3 * HOUR - 10 * MIN, "billing-api", "docs(billing-api): fix runbook links in README", tag="benign", docs=True)
    S.generic_decoys()
    S.agent_ok("billing-api", 90 * MIN)
    symalert(S, T, "HighErrorRate", "billing-api", "billing-api: 502 ratio 4% at the edge")
    return []


def n_catalog_outside(S):
    T = S.onset
    sha, _ = S.commit(T - 30 * HOUR - 30 * MIN, "catalog-api", S.commit_subject("catalog-api"), tag="benign")
    S.deploy(T - 30 * HOUR, "catalog-api", sha, tag="benign")
    S.ev(T - 27 * HOUR, "config_change", "k8s", "ConfigMap catalog/catalog-api-config updated by maria.k: REGION_FALLBACK_ENABLED changed from \"false\" to \"true\"",
         {}, ["catalog-api"], "info", "benign")
    S.scale_ups("catalog-api", 2)
    S.generic_decoys()
    symalert(S, T, "HighLatencyP99", "catalog-api", "catalog-api: p99 above threshold (2.2s on GET /v1/titles)", "warning")
    return []


def n_artwork_loose(S):
    T = S.onset
    S.scale_ups("artwork-service", 2)
    S.generic_decoys()
    symalert(S, T, "HighLatencyP99", "artwork-service", "artwork-service: p99 above threshold (1.7s on GET /v1/images)", "warning")
    return []


def n_drm_incident_elsewhere(S):
    T = S.onset
    S.incident(T - 65 * MIN, "billing-api", tag="decoy", bad_deploy=True)
    S.generic_decoys(1)
    symalert(S, T, "HighLatencyP99", "drm-keystore", "drm-keystore: p99 above threshold (900ms on GetContentKey)", "warning")
    return []


def n_clickhouse_flap(S):
    T = S.onset
    S.generic_decoys()
    symalert(S, T, "ClickHouseReplicasLagging", "clickhouse", "Replica chi-clickhouse-0-1 is 1240s behind", "warning",
             resolve=14 * MIN, labels={"namespace": "data", "service": "clickhouse", "replica": "chi-clickhouse-0-1"})
    return []


def n_watch_history_train(S):
    r, T = S.rng, S.onset
    pool = [c for c in SERVICES if COMP[c]["team"] not in ("data",)]
    S.train(T - 14 * MIN, r.sample(pool, 12))
    symalert(S, T, "HighLatencyP99", "watch-history-api", "watch-history-api: p99 above threshold (1.1s on GET /v1/continue-watching)", "warning")
    return []


SCENARIOS = [
    dict(name="manifest-flag-flip", family="feature flag flip -> 5xx", script=s_flag_manifest, expect="cause",
         focus=["manifest-service"], onset_spec=(1, 16, 20, 60), symptom="manifest-service 5xx rate above SLO",
         rationale="A flag that changes manifest-service output (SSAI SCTE-35 passthrough) went 0->100% 35-40 min before 5xx on manifest-service; other changes are a playback-session deploy and unrelated ones; manifest-service's own last deploy was 16 h earlier and healthy."),
    dict(name="entitlement-schema-migration", family="schema migration in another service breaks a reader", script=s_migration_entitlement, expect="cause",
         focus=["entitlement-api", "subscription-api", "subscription-db", "entitlement-cache"], onset_spec=(2, 15, 5, 90),
         symptom="entitlement-api 500s: ERROR: column s.plan_code does not exist (subscription-db)",
         rationale="subscription-api shipped a commit dropping plan_code and Flyway applied V231__drop_subscriptions_plan_code on subscription-db minutes before entitlement-api started failing on exactly that column; the entitlement-cache tweak is unrelated to a missing column."),
    dict(name="transcode-quota-exceeded", family="helm values raise replicas past ResourceQuota", script=s_quota_transcode, expect="cause",
         focus=["transcode-worker"], onset_spec=(4, 11, 30, 60), symptom="transcode backlog growing, new transcode-worker pods rejected",
         rationale="The gitops change set transcode-worker minReplicaCount 2->40 and was synced 4 min before FailedCreate 'exceeded quota' errors."),
    dict(name="events-ingest-debug-disk-full", family="log level to debug fills a volume hours later", script=s_loglevel_disk, expect="cause",
         focus=["events-ingest"], onset_spec=(3, 17, 0, 120), symptom="events-ingest: no space left on device",
         rationale="LOG_LEVEL info->debug on events-ingest 5.5 h before; a PV-filling-up warning came 2 h before and the spool disk filled. Nothing else touched events-ingest."),
    dict(name="billing-db-cron-herd", family="CronJob schedule change -> thundering herd", script=s_cron_herd, expect="cause",
         focus=["billing-db", "billing-worker"], onset_spec=(2, 9, 0, 0), at_delay=0,
         symptom="billing-db connections maxed out at the top of the hour",
         rationale="3 h before, billing-worker moved the renewals CronJob (which hits billing-db) to 09:00 with parallelism 40; at 09:00 the job created 40 pods and billing-db saturated. The billing-api deploy 40 min earlier is a plausible but weaker suspect."),
    dict(name="mobile-ingress-429", family="Ingress rate-limit annotation -> 429s", script=s_ratelimit_mobile, expect="cause",
         focus=["mobile-bff", "ingress-nginx"], onset_spec=(0, 18, 40, 40), symptom="mobile users getting 429 Too Many Requests",
         rationale="The mobile-bff Ingress limit-rps went 200->20 50 min before evening traffic produced 429s; tv-app-bff's deploy 6 min before and mobile-bff's 16 h-old deploy are decoys."),
    dict(name="drm-license-base-image-tls", family="base image bump (bot) -> TLS handshake failures", script=s_baseimage_tls, expect="cause",
         focus=["drm-license", "drm-keystore"], onset_spec=(1, 10, 45, 60), symptom="drm-license TLS handshake failures to the key server",
         rationale="Renovate bumped drm-license's JRE base image and it deployed 35 min before PKIX handshake errors; drm-keystore's metrics interval change 2 h earlier is unrelated."),
    dict(name="payment-gateway-stripe-version", family="third-party API version change (recorded as config)", script=s_stripe_version, expect="cause",
         focus=["payment-gateway"], onset_spec=(3, 14, 10, 60), symptom="card payments failing at checkout, payment gateway rejecting requests",
         rationale="The Stripe default API version changed 25-30 min before 'unknown parameter' errors in payment-gateway; billing-api and subscription-api changes are decoys."),
    dict(name="watch-history-secret-not-reloaded", family="secret rotated but not reloaded", script=s_vault_noreload, expect="cause",
         focus=["watch-history-api", "watch-history-db"], onset_spec=(0, 13, 30, 120),
         symptom="watch-history-api: password authentication failed for user wh_app",
         rationale="wh_app was rotated by hand 70 min earlier with no Reloader restart (unlike every other rotation in the stream); auth failures began when pooled connections recycled."),
    dict(name="playback-session-hpa-min-lowered", family="HPA minReplicas lowered, then evening traffic", script=s_hpa_min, expect="cause",
         focus=["playback-session"], onset_spec=(1, 19, 25, 15), symptom="PlaybackSessionP99LatencyHigh",
         rationale="minReplicas 12->3 in the morning removed the headroom; at the evening peak the HPA lagged. Scale-ups just before onset are the consequence, not a cause."),
    dict(name="profile-cache-evicted-by-autoscaler", family="node scale-down evicts a cache", script=s_autoscaler_evict, expect="cause",
         focus=["profile-api", "profile-cache", "cluster-autoscaler", "pool-stateful-b2"], onset_spec=(6, 5, 40, 40),
         symptom="profile pages slow, cache hit rate collapsed",
         rationale="cluster-autoscaler removed pool-stateful-b2 and evicted profile-cache-1 11 min before profile latency and cache hit ratio collapsed."),
    dict(name="search-api-jvm-heap", family="JVM flag change -> GC pauses", script=s_jvm_search, expect="cause",
         focus=["search-api", "search-indexer"], onset_spec=(2, 12, 0, 90), symptom="search is really slow, long GC pauses on search-api",
         rationale="search-api shipped -Xmx3g->-Xmx1g + SerialGC 40 min before GC-heavy latency; the search-indexer deploy 9 min before is the similarly named decoy."),
    dict(name="catalog-db-cache-ttl", family="cache TTL change overloads a DB owned by the same area", script=s_cachettl_catalogdb, expect="cause",
         focus=["catalog-db", "catalog-api", "catalog-indexer"], onset_spec=(4, 19, 50, 30), symptom="catalog-db CPU pegged at 100%",
         rationale="catalog-api's title cache TTL went 3600->5 s ~1.5 h before catalog-db saturated at peak; the indexer job completion is routine."),
    dict(name="invoice-renderer-mtls-strict", family="service mesh mTLS policy change", script=s_mtls_invoice, expect="cause",
         focus=["invoice-renderer", "istiod"], onset_spec=(3, 7, 10, 30),
         symptom="invoice-renderer: upstream connect error or disconnect/reset before headers",
         rationale="A STRICT PeerAuthentication for invoice-renderer was created 20 min before callers without sidecars got resets."),
    dict(name="account-api-bad-rollback", family="rollback reintroduces a bug", script=s_rollback_account, expect="cause",
         focus=["account-api", "account-db"], onset_spec=(1, 17, 35, 45), symptom="account-api signup endpoint returning 500",
         rationale="The rollback 24 min before onset restored a 5-day-old build that predates the NOT NULL consent columns (V88, 3 days ago); the rolled-back deploy ran cleanly for 25 min."),
    dict(name="subscriptions-slow-since-lunch", family="loose human symptom, asked later", script=s_since_lunch, expect="cause",
         focus=["subscription-api", "subscription-db"], avoid=["payment-gateway", "entitlement-api", "billing-api"], onset_spec=(2, 17, 40, 20), at_delay=90 * MIN,
         symptom="subscriptions super slow since lunch",
         rationale="subscription-api started calling fraud scoring synchronously 35 min before latency alerts (12:40 in New York); --at is 90 min after onset and the changes after onset are responses."),
    dict(name="billing-worker-dependabot-crash", family="loose human symptom; bot dependency bump", script=s_dependabot_worker, expect="cause",
         focus=["billing-worker"], avoid=["invoice-renderer"], onset_spec=(0, 16, 0, 60), at_delay=35 * MIN, symptom="the billing worker thing keeps dying",
         rationale="Dependabot's kafka-go bump shipped to billing-worker while it was scaled to zero; first activation 2.7 h later crashed in kafka.(*Reader). billing-api's deploy 10 min before is the sibling decoy."),
    dict(name="cdn-router-dns-alert", family="alert-name symptom; DNS record change", script=s_dns_cdn, expect="cause",
         focus=["cdn-router"], onset_spec=(5, 20, 15, 40), symptom="CDNRouterOriginErrorsHigh",
         rationale="The origin A record changed 6-8 min before (TTL 300) and origin fetches from cdn-router started failing."),
    dict(name="account-db-pool-noisy-neighbour", family="another service's pool size exhausts a shared DB", script=s_pool_account, expect="cause",
         focus=["account-api", "account-db", "profile-api"], onset_spec=(3, 20, 5, 30),
         symptom="account-api can't get connections to account-db: too many clients already",
         rationale="profile-api raised its account-db pool 10->150 ~45 min before; as profile-api scaled up account-db ran out of connections."),
    dict(name="recs-flag-during-train", family="flag flip hidden behind a deploy train", script=s_flag_recs_train, expect="cause",
         focus=["recs-api", "recs-model-server"], onset_spec=(3, 15, 30, 0),
         symptom="home screen recommendations empty, recs-api timing out",
         rationale="recs.realtime-features was enabled for everyone 40 min before recs-api timeouts; the release train just before onset touched 10 unrelated services."),
    # none
    dict(name="none-playback-api-evening-peak", family="none: traffic-driven scale-ups only", script=n_playback_peak, expect="none",
         focus=["playback-api"], onset_spec=(0, 20, 10, 20), symptom="playback-api latency up during the evening peak",
         rationale="Only HPA scale-ups on playback-api in the window; the two changes just before onset are on unrelated services."),
    dict(name="none-billing-api-docs-commit", family="none: docs-only commit never deployed", script=n_billing_docs, expect="none",
         focus=["billing-api"], onset_spec=(2, 13, 20, 60), symptom="billing-api 502s from the edge",
         rationale="The only billing-api change is a README commit that was never deployed; other recent changes are unrelated."),
    dict(name="none-catalog-api-change-outside-window", family="none: relevant change outside the window", script=n_catalog_outside, expect="none",
         focus=["catalog-api"], onset_spec=(3, 11, 0, 60), symptom="catalog-api slow responses",
         rationale="catalog-api's last deploy (30 h) and config change (27 h) are outside the 24 h window."),
    dict(name="none-artwork-loose", family="none: loose name, nothing changed", script=n_artwork_loose, expect="none",
         focus=["artwork-service"], onset_spec=(5, 15, 0, 60), symptom="the artwork thing is slow",
         rationale="Nothing touched artwork-service in the window; only scale-ups."),
    dict(name="none-drm-keystore-incident-elsewhere", family="none: unrelated incident just before", script=n_drm_incident_elsewhere, expect="none",
         focus=["drm-keystore", "drm-license"], avoid=["billing-api"], onset_spec=(1, 14, 0, 60), symptom="drm-keystore p99 latency high",
         rationale="A billing-api bad deploy/incident/rollback 1 h earlier is unrelated to drm-keystore; nothing changed on drm-*."),
    dict(name="none-clickhouse-flapping-alert", family="none: chronic flapping alert", script=n_clickhouse_flap, expect="none",
         focus=["clickhouse", "analytics-etl"], keep=["clickhouse"], onset_spec=(4, 8, 30, 60), symptom="ClickHouseReplicasLagging",
         rationale="The alert has flapped all week with no change to clickhouse or its writer."),
    dict(name="none-watch-history-after-train", family="none: onset right after an unrelated deploy train", script=n_watch_history_train, expect="none",
         focus=["watch-history-api", "watch-history-db"], onset_spec=(1, 15, 20, 0), symptom="watch-history-api p99 latency doubled",
         rationale="A 12-service release train (no data-team services) landed 6-14 min before; nothing touched watch-history."),
]


# ----------------------------------------------------------------------------- build & check
def renumber(S, ev):
    """Argo CD history ids in time order per app; rollbacks point at the id that first shipped the sha."""
    rr = random.Random("hid:" + S.name)
    counter, sha_hid, last = {}, {}, {}
    for e in ev:
        if e["type"] != "deployment":
            continue
        d = e["details"]
        comp = d["app"]
        if comp not in counter:
            counter[comp] = rr.randint(40, 900)
        counter[comp] += 1
        if d["how"] == "rollback":
            hid = sha_hid.get((comp, d["sha"]), counter[comp] - rr.randint(2, 9))
            e["description"] = "Rollback of %s to history id %d (%s) initiated by %s: Succeeded" % (comp, hid, d["sha"][:7], d["initiated_by"])
        else:
            hid = counter[comp]
            sha_hid.setdefault((comp, d["sha"]), hid)
            if d["how"] == "manual":
                e["description"] = "Sync of %s to %s initiated by %s: Succeeded (history id %d)" % (comp, d["sha"][:7], d["initiated_by"], hid)
        d["history_id"] = hid
        d["previous_sha"] = last.get(comp)
        last[comp] = d["sha"]
        del d["how"]


def build(seed, sc, outdir):
    S = Stream(seed, sc)
    # scripts set overrides (hpa/keda) before noise; run scripts first into a scratch list, then noise
    markers = sc["script"](S)
    S.noise()
    ev = sorted(S.events, key=lambda e: (e["t"], e["seq"]))
    renumber(S, ev)
    markers = [m["description"] if isinstance(m, dict) else m for m in markers]
    errors = []
    causes = [e for e in ev if e["tag"] == "cause"]
    if sc["expect"] == "cause":
        if not markers or not causes:
            errors.append("no markers/causes")
        for m in markers:
            if not any(m.lower() in e["description"].lower() for e in causes):
                errors.append("marker not in a cause: %r" % m)
            for e in ev:
                if e["tag"] != "cause" and m.lower() in e["description"].lower():
                    errors.append("marker %r also in %s event %r" % (m, e["tag"], e["description"]))
        for e in causes:
            if not (S.onset - S.window <= e["t"] < S.onset and S.at - S.window <= e["t"] < S.at):
                errors.append("cause outside window: %s" % e["description"])
    else:
        if causes or markers:
            errors.append("none case has causes")
    # protection self-check: no noise change/failure on focus components inside the window
    for e in ev:
        if e["tag"] == "noise" and e["cat"] in ("change", "failure") and S.onset - S.window <= e["t"] < S.onset:
            if set(e["comps"]) & S.focus and not set(e["comps"]) & S.keep:
                errors.append("unprotected noise on focus: %s" % e["description"])
    # symptom starts exactly at onset
    syms = [e for e in ev if e["tag"] == "symptom" and e["t"] >= S.onset]
    if not syms or min(e["t"] for e in syms) != S.onset:
        errors.append("no symptom event at onset")
    path = os.path.join(outdir, sc["name"] + ".jsonl")
    counts = {}
    with open(path, "w") as f:
        for e in ev:
            counts[e["type"]] = counts.get(e["type"], 0) + 1
            f.write(json.dumps({"kind": "event", "time": iso(e["t"]), "type": e["type"], "source": e["source"],
                                "description": e["description"], "details": e["details"],
                                "affected_components": e["comps"], "severity": e["sev"]}, sort_keys=False) + "\n")
    days = (S.t1 - S.t0) / DAY
    case = {"name": sc["name"], "family": sc["family"], "symptom": sc["symptom"], "at": iso(S.at),
            "window": "24h", "expect": sc["expect"], "marker": markers, "rationale": sc["rationale"],
            "stream": os.path.basename(path), "onset": iso(S.onset),
            "cause_time": [iso(e["t"]) for e in causes],
            "stats": {"events": len(ev), "per_day": round(len(ev) / days), "by_type": dict(sorted(counts.items()))}}
    return case, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cases, bad = [], 0
    for sc in SCENARIOS:
        if a.only and sc["name"] != a.only:
            continue
        case, errs = build(a.seed, sc, a.out)
        cases.append(case)
        for e in errs:
            print("CHECK FAILED [%s]: %s" % (sc["name"], e), file=sys.stderr)
            bad += 1
        print("%-42s %6d events (%d/day)" % (case["name"], case["stats"]["events"], case["stats"]["per_day"]), file=sys.stderr)
    with open(os.path.join(a.out, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    n_cause = sum(1 for c in cases if c["expect"] == "cause")
    print("%d cases (%d cause, %d none); %d check failures" % (len(cases), n_cause, len(cases) - n_cause, bad), file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
