#!/usr/bin/env python3
"""Time to first render of the web page's timeline in headless Chromium (Debian's), and what it fetched.

Used by `cmem-bench web`. Each run is a fresh browser context (no cache): navigation to the page with
`--query`, until the timeline is drawn (body[data-ready=timeline]). Prints one JSON object with the
median first-render time (the page records performance.now() when its first timeline is drawn: from the start of navigation), the API calls
made, and the bytes received (page, assets and API answers, as the bodies' sizes).
"""
import argparse
import json
import statistics
import sys
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--query", default="")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    own = urlsplit(args.url).netloc
    times, calls, sizes, offsite = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(args.runs):
            context = browser.new_context(viewport={"width": 1500, "height": 900})
            received = []

            def route(r):
                if urlsplit(r.request.url).netloc != own:
                    offsite.append(r.request.url)
                    r.abort()
                else:
                    r.continue_()

            context.route("**/*", route)
            page = context.new_page()
            page.on("response", lambda resp: received.append(resp))
            page.goto(args.url.rstrip("/") + "/" + args.query)
            page.wait_for_selector("body[data-ready^='timeline']", timeout=60000)
            if page.evaluate("document.body.dataset.ready") != "timeline":
                print(json.dumps({"error": page.text_content("#banner")}))
                return 1
            times.append(page.evaluate("window.cmemStats.firstRender"))
            stats = page.evaluate("window.cmemStats")
            calls.append(stats["calls"])
            sizes.append(sum(len(r.body()) for r in received))
            context.close()
        browser.close()
    print(json.dumps({"first_render_ms": statistics.median(times), "api_calls": max(calls), "bytes": max(sizes),
                      "runs": len(times), "offsite_requests": len(offsite)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
