extension WebAssets {
    /// `GET /`: the frame of the page; app.js fills it from the API and the URL's query string.
    static let page = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>cmem: timeline</title>
    <link rel="icon" href="/ui/icon.svg">
    <link rel="stylesheet" href="/ui/app.css">
    <script src="/ui/app.js" defer></script>
    </head>
    <body>
    <header>
      <h1>cmem</h1>
      <nav id="tabs">
        <a href="?view=timeline" data-view="timeline">Timeline</a>
        <a href="?view=infra" data-view="infra">Infrastructure</a>
        <a href="?view=sessions" data-view="sessions">Sessions &amp; decisions</a>
      </nav>
      <span id="status" aria-live="polite"></span>
    </header>
    <div id="banner" role="alert" hidden></div>
    <form id="token-form" hidden>
      <label>This server needs its bearer token: <input id="token" type="password" autocomplete="off" size="40"></label>
      <button>Use token</button> <small>Kept in this tab only (sessionStorage), sent as <code>Authorization: Bearer</code>.</small>
    </form>
    <main>
    <section id="view-timeline" hidden>
      <form id="filters" class="bar">
        <label>Range <select name="span">
          <option value="">custom</option><option value="15m">15 min</option><option value="1h">1 h</option>
          <option value="6h">6 h</option><option value="24h">24 h</option><option value="7d">7 days</option>
          <option value="30d">30 days</option><option value="90d">90 days</option></select></label>
        <label>Components <input name="component" placeholder="api, payments-db" size="18"></label>
        <label>Types <input name="type" placeholder="deployment, incident" size="16"></label>
        <label>Sources <input name="source" placeholder="argocd, k8s" size="12"></label>
        <label>Severity ≥ <select name="severity"><option value="">any</option><option>info</option><option>warning</option><option>error</option><option>critical</option></select></label>
        <label>Text <input name="q" type="search" size="16"></label>
        <label>Lanes <select name="group"><option value="component">per component</option><option value="prefix">per stack (name prefix)</option></select></label>
        <button>Apply</button>
      </form>
      <form id="correlate" class="bar">
        <label>What broke it? <input name="symptom" placeholder="checkout 502s after 14:00" size="36" required></label>
        <label>at (UTC) <input name="at" placeholder="2026-01-19T14:30:00Z" size="20"></label>
        <label>looking back <select name="timeframe"><option>6h</option><option selected>24h</option><option>7d</option><option>30d</option></select></label>
        <button>Correlate</button> <button type="button" id="correlate-clear">Clear</button>
      </form>
      <div class="bar" id="toolbar">
        <button type="button" data-move="-0.5" title="Earlier (←)">◀</button>
        <button type="button" data-zoom="0.5" title="Zoom in (+)">+</button>
        <button type="button" data-zoom="2" title="Zoom out (-)">−</button>
        <button type="button" data-move="0.5" title="Later (→)">▶</button>
        <button type="button" id="now" title="Last 24 hours">Now</button>
        <span id="range"></span> <span id="count"></span>
        <span id="legend"></span>
      </div>
      <div id="board">
        <div id="chart-wrap"><svg id="chart" role="img" aria-label="timeline"></svg></div>
        <aside id="side">
          <div id="answer" hidden></div>
          <div id="details"><p class="hint">Click an event for its details, causes and effects. Drag to pan, wheel to zoom.</p></div>
        </aside>
      </div>
    </section>
    <section id="view-infra" hidden>
      <div id="health"></div>
      <form id="diff-form" class="bar">
        <label>Changed since <input name="since" placeholder="24h or 2026-01-19T14:00:00Z" size="24"></label>
        <button>Show diff</button>
      </form>
      <div id="diff"></div>
    </section>
    <section id="view-sessions" hidden>
      <form id="session-search" class="bar">
        <label>Project <input name="project" placeholder="project name" size="16"></label>
        <label>Search <input name="search" type="search" placeholder="words in decisions and sessions" size="30"></label>
        <button>Search</button>
      </form>
      <div id="handoff"></div>
      <div class="columns">
        <div><h2>Sessions</h2><div id="sessions"></div></div>
        <div><h2>Decisions</h2><div id="decisions"></div></div>
      </div>
    </section>
    </main>
    <noscript>This page needs JavaScript; the same data is in the REST API (see docs/openapi.yaml) and the cmem CLI.</noscript>
    </body>
    </html>
    """#
}
