#!/usr/bin/env python3
"""The web page of `cmem serve` in a real headless Chromium (Debian's, driven by Playwright for Python).

Run by WebPageTests.swift against a real server on 127.0.0.1 with a generated repository; the planted
records are passed as JSON (--scenario). Exits 0 when every check passes; otherwise prints each failure
and exits 1. Screenshots of each view go to --screenshots. Every request the page makes is intercepted:
one to any other host is aborted (never sent) and fails the run.
"""
import argparse
import json
import os
import sys
import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import sync_playwright

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, flush=True)
    return condition


def wait_until(page, expression, timeout=20.0):
    """Polls `expression` (evaluated over the DevTools protocol, which the page's CSP does not block,
    unlike Playwright's wait_for_function) until it is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return True
        time.sleep(0.05)
    raise TimeoutError("timed out waiting for: " + expression)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--scenario", required=True, help="JSON file naming the planted records")
    ap.add_argument("--screenshots", required=True)
    ap.add_argument("--token-url", help="the same repository served with a bearer token")
    ap.add_argument("--token", help="that server's token")
    ap.add_argument("--chromium", default=os.environ.get("CMEM_CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args()
    with open(args.scenario) as f:
        sc = json.load(f)
    os.makedirs(args.screenshots, exist_ok=True)
    base = args.url.rstrip("/")
    own = {urlsplit(base).netloc} | ({urlsplit(args.token_url).netloc} if args.token_url else set())

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1500, "height": 900}, service_workers="block")
        offsite = []
        requests = []

        def route(r):
            u = urlsplit(r.request.url)
            requests.append(r.request.url)
            if u.scheme in ("data", "blob") or (u.scheme == "http" and u.netloc in own):
                r.continue_()
            else:
                offsite.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append("page error: %s" % e))
        page.on("console", lambda m: errors.append("console %s: %s" % (m.type, m.text)) if m.type == "error" else None)

        def shot(name):
            page.screenshot(path=os.path.join(args.screenshots, name + ".png"), full_page=True)

        def open_view(query, ready="timeline"):
            page.goto(base + "/" + query)
            page.wait_for_selector("body[data-ready^='%s']" % ready, timeout=20000)
            return page.evaluate("document.body.dataset.ready")

        # 1. The default view (last 24 hours) renders events in lanes.
        check(open_view("") == "timeline", "the default view did not load: %s" % page.evaluate("document.getElementById('banner').textContent"))
        n_all = page.locator("#chart .event").count()
        check(n_all > 10, "the default view drew %d events" % n_all)
        lanes = page.eval_on_selector_all("#chart .lane-label", "ns => ns.map(n => n.dataset.lane)")
        check("payments-db" in lanes and "checkout-api" in lanes, "lanes lack the planted components: %s" % lanes[:20])
        check(page.locator("#chart path.arrow").count() >= 1, "no caused_by arrow drawn")
        st = page.evaluate("window.cmemStats")
        print("default view: %d API calls, %d bytes, first render %.0f ms after navigation" % (st["calls"], st["bytes"], st["firstRender"]), flush=True)
        check(st["calls"] <= 3 and st["bytes"] <= 500_000, "the default view asked too much: %s" % st)
        shot("1-timeline")

        # 2. A filter narrows the events, and the URL records it.
        page.fill("#filters input[name=type]", "incident")
        page.click("#filters button")
        wait_until(page, "new URL(location.href).searchParams.get('type') === 'incident'")
        page.wait_for_selector("body[data-ready='timeline']")
        wait_until(page, "document.querySelectorAll('#chart .event').length < %d" % n_all)
        types = page.eval_on_selector_all("#chart .event", "ns => ns.map(n => n.dataset.type)")
        check(len(types) >= 1 and set(types) == {"incident"}, "type filter left %s" % sorted(set(types)))
        shot("2-filtered")
        page.fill("#filters input[name=type]", "")
        page.fill("#filters input[name=component]", "payments-db")
        page.click("#filters button")
        wait_until(page, "new URL(location.href).searchParams.get('component') === 'payments-db'")
        page.wait_for_selector("body[data-ready='timeline']")
        ids = page.eval_on_selector_all("#chart .event", "ns => ns.map(n => n.dataset.id)")
        check(sc["cause"] in ids and len(ids) < n_all, "component filter: %d events, cause shown: %s" % (len(ids), sc["cause"] in ids))

        # 3. Clicking an event shows its details, its cause and effects, and where it is written.
        page.click("#chart .event[data-id='%s']" % sc["cause"])
        page.wait_for_selector("#details[data-event='%s']" % sc["cause"])
        details = page.text_content("#details")
        check(sc["cause_description"] in details, "details lack the description: %r" % details[:300])
        check("timeline/" in details and ".md:" in details, "details lack the file location: %r" % details[:300])
        check("Effects" in details, "details lack the effects (the incident it caused)")
        page.wait_for_selector("#details .written-in")
        check("web page fixture" in page.text_content("#details .written-in"), "details lack the commit that wrote the event: %r" % page.text_content("#details .written-in"))
        check(page.evaluate("new URL(location.href).searchParams.get('event')") == sc["cause"], "the URL does not hold the selected event")
        # Where it is written, shown: the note's lines around it, its heading marked, its block below.
        page.click("#details .show-note")
        page.wait_for_selector("#details pre.note .here")
        here = page.text_content("#details pre.note .here")
        check(sc["cause_description"] in here and "## " in here, "the marked line is not the event's heading: %r" % here)
        check(("event_id: " + sc["cause"]) in page.text_content("#details pre.note"), "the shown lines lack the event's block")
        shot("3-details")

        # 4. What broke it: the correlate box draws the planted cause on the timeline.
        page.fill("#filters input[name=component]", "")
        page.click("#filters button")
        page.wait_for_selector("body[data-ready='timeline']")
        page.fill("#correlate input[name=symptom]", sc["symptom"])
        page.fill("#correlate input[name=at]", sc["at"])
        page.click("#correlate button:not([type])")
        wait_until(page, "document.body.dataset.answer !== undefined && document.body.dataset.answer !== ''")
        page.wait_for_selector("body[data-ready='timeline']")
        answer = page.evaluate("document.body.dataset.answer")
        check(answer == sc["cause"], "correlate named %s, not the planted cause %s" % (answer, sc["cause"]))
        check(page.locator("#cause-mark[data-event='%s']" % sc["cause"]).count() == 1, "the cause is not marked on the timeline")
        check(page.locator("#chart .onset").count() == 1, "the onset is not drawn")
        box = page.text_content("#answer")
        check("Probable cause" in box and sc["cause_description"] in box, "the answer box lacks the cause: %r" % box[:300])
        check(page.locator("#answer ul.reasons li").count() >= 1, "the answer gives no reasons")
        shot("4-correlate")

        # 5. A pasted URL restores the view: range, filters, selection, the answer.
        page.click("#chart .event[data-id='%s']" % sc["cause"])
        page.wait_for_selector("#details[data-event='%s']" % sc["cause"])
        link = page.url
        range_text = page.text_content("#range")
        second = context.new_page()
        second.on("pageerror", lambda e: errors.append("page error (pasted): %s" % e))
        second.goto(link)
        wait_until(second, "document.body.dataset.answer === %s" % json.dumps(sc["cause"]))
        second.wait_for_selector("body[data-ready='timeline']")
        second.wait_for_selector("#details[data-event='%s']" % sc["cause"])
        check(second.text_content("#range") == range_text, "the pasted link shows %r, not %r" % (second.text_content("#range"), range_text))
        check(second.input_value("#correlate input[name=symptom]") == sc["symptom"], "the pasted link lost the symptom")
        check(second.locator("#cause-mark").count() == 1, "the pasted link does not mark the cause")
        second.screenshot(path=os.path.join(args.screenshots, "5-pasted.png"), full_page=True)
        second.close()

        # 6. A hostile description is shown as text, never run or loaded.
        open_view("?event=%s&span=24h" % sc["hostile"])
        page.wait_for_selector("#details[data-event='%s']" % sc["hostile"])
        shown = page.text_content("#details .description")
        check(shown == sc["hostile_description"], "the hostile description was not shown verbatim (%d vs %d chars)" % (len(shown or ""), len(sc["hostile_description"])))
        check(page.evaluate("window.__pwned === undefined"), "a script in a description ran")
        check(page.locator("#details img, #details script, #details b, #answer img").count() == 0, "markup from a description became elements")
        check(page.locator("#chart .event[data-id='%s']" % sc["hostile"]).count() == 1, "the hostile event is not drawn")
        shot("6-hostile")

        # 7. A malformed query string gets a clear message, and the page still works.
        open_view("?start=yesterday&severity=loud&%E0%A4%A=1&view=timeline&bogus=1")
        banner = page.text_content("#banner")
        check(page.is_visible("#banner"), "no message for a malformed query string")
        for word in ("start", "severity", "percent-encoded", "bogus"):
            check(word in banner, "the message does not mention %s: %r" % (word, banner))
        check(page.locator("#chart .event").count() > 0, "the malformed link left a blank timeline")
        shot("7-bad-query")

        # 8. Zoomed out (7 days) the page draws counts per bucket and zooms in on a click.
        before = len(requests)
        open_view("?span=7d")
        check(page.locator("#chart .cell").count() > 0, "no buckets drawn for 7 days")
        check("counted per" in page.text_content("#count"), "the count does not say it is bucketed: %r" % page.text_content("#count"))
        others = page.locator("#chart .lane-label[data-lane=' others']")
        check(others.count() == 1 and "other components" in others.text_content(), "the quieter components are not added up in a lane")
        # Events asked for over more than a day (the earlier view may still reload after its screenshot
        # changed the window's width) must be filtered to the severities that fit.
        def span_days(u):
            q = parse_qs(urlsplit(u).query)
            start, end = (datetime.fromisoformat(q[k][0].replace("Z", "+00:00")) for k in ("start", "end"))
            return (end - start).total_seconds() / 86400
        fetched = [u for u in requests[before:] if "/memory/timeline?" in u and span_days(u) > 1.5]
        check(fetched and all("severity=" in u for u in fetched), "the zoomed-out view fetched unfiltered events: %s" % fetched)
        shot("8-buckets")
        n_component_lanes = page.locator("#chart .lane-label").count()
        page.select_option("#filters select[name=group]", "prefix")
        wait_until(page, "new URL(location.href).searchParams.get('group') === 'prefix'")
        page.wait_for_selector("body[data-ready='timeline']")
        stacks = page.eval_on_selector_all("#chart .lane-label", "ns => ns.map(n => n.dataset.lane)")
        check("payments" in stacks and "checkout" in stacks and len(stacks) < n_component_lanes / 3,
              "grouped by stack: %d lanes (%d per component): %s" % (len(stacks), n_component_lanes, stacks[:20]))
        check(page.locator("#chart .cell").count() > 0, "no buckets drawn per stack")
        shot("8-buckets-per-stack")
        page.locator("#chart .cell").first.dispatch_event("click")
        wait_until(page, "new URL(location.href).searchParams.has('start')")
        page.wait_for_selector("body[data-ready='timeline']")

        # 9. Infrastructure: health counts, the unhealthy components, a diff.
        open_view("?view=infra", ready="infra")
        check(page.text_content(".tile.degraded b") == "1", "degraded count: %r" % page.text_content(".tile.degraded b"))
        check(sc["unhealthy"] in page.text_content("#health"), "the unhealthy component is not listed")
        check("Changed since" in page.text_content("#diff"), "no diff shown")
        shot("9-infrastructure")

        # 10. Sessions and decisions, with the project's handoff.
        open_view("?view=sessions&project=%s" % sc["project"], ready="sessions")
        check(page.locator("#sessions .session").count() >= 1, "no sessions listed")
        check(page.locator("#decisions .decision").count() >= 1, "no decisions listed")
        check(sc["decision"] in page.text_content("#decisions"), "the planted decision is not listed")
        check(sc["handoff_text"] in page.text_content("#handoff"), "the handoff is not shown")
        shot("10-sessions")
        # Without a project named: the latest session's project's handoff.
        open_view("?view=sessions", ready="sessions")
        page.wait_for_selector("#handoff .handoff")
        check(sc["handoff_text"] in page.text_content("#handoff"), "no handoff shown for the latest session's project")

        # 11. With a token configured, the page asks for it, and then shows the data.
        if args.token_url:
            tokened = context.new_page()
            tokened.on("pageerror", lambda e: errors.append("page error (token): %s" % e))
            tokened.goto(args.token_url.rstrip("/") + "/?span=24h")
            tokened.wait_for_selector("body[data-ready='timeline-error']")
            check(tokened.is_visible("#token-form"), "no token form on a server that needs one")
            check("token" in tokened.text_content("#banner"), "the message does not say a token is needed: %r" % tokened.text_content("#banner"))
            tokened.screenshot(path=os.path.join(args.screenshots, "11-token.png"))
            tokened.fill("#token", args.token)
            tokened.click("#token-form button")
            tokened.wait_for_selector("body[data-ready='timeline']")
            check(tokened.locator("#chart .event").count() > 10, "the token did not unlock the timeline")
            check(not tokened.is_visible("#token-form"), "the token form stays after a good token")
            tokened.close()

        check(not offsite, "requests off the machine: %s" % offsite[:5])
        check(not errors, "browser errors: %s" % errors[:5])
        check(len(requests) > 10, "only %d requests seen: interception did not work" % len(requests))
        browser.close()

    print("%d checks failed" % len(failures) if failures else "all browser checks passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
