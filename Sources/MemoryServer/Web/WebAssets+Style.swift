extension WebAssets {
    static let style = #"""
    :root { --info: #3b82c4; --warning: #d99a00; --error: #e0452b; --critical: #8e0a3a; --bg: #f7f8fa; --line: #d7dce2;
      --ink: #1d2733; --muted: #667380; --accent: #0b63b6; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
    header { display: flex; align-items: center; gap: 1.5em; padding: .4em 1em; background: #1d2733; color: #fff; }
    header h1 { font-size: 1.1em; margin: 0; }
    nav a { color: #cfe3f7; margin-right: 1em; text-decoration: none; padding: .2em .4em; border-radius: 4px; }
    nav a.active { background: #34495e; color: #fff; }
    #status { margin-left: auto; font-size: .85em; color: #cfe3f7; }
    #banner { background: #fdecea; color: #7a1a10; border-bottom: 1px solid #e0452b; padding: .5em 1em; white-space: pre-wrap; }
    #token-form { background: #fff7e0; padding: .5em 1em; }
    main { padding: .5em 1em; }
    .bar { display: flex; flex-wrap: wrap; gap: .6em; align-items: center; margin: .3em 0; }
    .bar label { font-size: .85em; color: var(--muted); }
    input, select, button { font: inherit; font-size: .9em; }
    button { cursor: pointer; }
    #correlate { background: #eef4fb; padding: .3em .5em; border-radius: 6px; }
    #range { font-weight: 600; }
    #count { color: var(--muted); }
    #legend { margin-left: auto; display: flex; gap: .7em; align-items: center; font-size: .8em; color: var(--muted); }
    #legend svg { vertical-align: middle; }
    #board { display: flex; gap: .8em; align-items: flex-start; }
    #chart-wrap { flex: 1 1 auto; min-width: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
    #chart { display: block; width: 100%; user-select: none; cursor: grab; }
    #chart.dragging { cursor: grabbing; }
    #side { flex: 0 0 380px; max-width: 40%; }
    #side > div { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6em .8em; margin-bottom: .8em;
      overflow-wrap: anywhere; }
    .hint { color: var(--muted); }
    .lane-label { font-size: 12px; fill: var(--ink); }
    .lane-bg { fill: #fff; } .lane-bg.odd { fill: #f6f8fa; }
    .tick { stroke: #eceff3; } .tick-label { font-size: 11px; fill: var(--muted); }
    .event { cursor: pointer; stroke: #fff; stroke-width: 1; }
    .event.selected { stroke: var(--ink); stroke-width: 2.5; }
    .event.dim { opacity: .25; }
    .cell { cursor: zoom-in; }
    .arrow, .chain, .onset, .onset-label, .mark-label, .cause-ring, .related-ring, .tick, .tick-label { pointer-events: none; }
    .arrow { stroke: #8795a1; stroke-width: 1.2; fill: none; }
    .chain { stroke: #e07b00; stroke-width: 3; fill: none; opacity: .85; }
    .onset { stroke: var(--critical); stroke-width: 2; stroke-dasharray: 6 4; }
    .onset-label, .mark-label { font-size: 11px; font-weight: 700; fill: var(--critical); }
    .cause-ring { fill: none; stroke: #e07b00; stroke-width: 3; }
    .related-ring { fill: none; stroke: #e07b00; stroke-width: 1.5; stroke-dasharray: 3 2; }
    .sev { display: inline-block; padding: 0 .4em; border-radius: 3px; color: #fff; font-size: .8em; }
    .sev.info { background: var(--info); } .sev.warning { background: var(--warning); } .sev.error { background: var(--error); }
    .sev.critical { background: var(--critical); }
    dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .15em .8em; margin: .4em 0; }
    dl.fields dt { color: var(--muted); } dl.fields dd { margin: 0; }
    pre { white-space: pre-wrap; background: #f3f5f7; padding: .4em; border-radius: 4px; max-height: 16em; overflow: auto; }
    pre.note { font-size: .85em; max-height: 24em; }
    pre.note .here { background: #fff3c4; font-weight: 600; }
    a.ev { color: var(--accent); cursor: pointer; text-decoration: underline; }
    /* Text from the memory may carry bidi overrides: each piece is isolated so it cannot reorder its neighbours. */
    a.ev, .meta, dd, .description, .card h3, .card p, ul.reasons li { unicode-bidi: isolate; }
    ol.ranked li, ul.plain li { margin-bottom: .4em; }
    ul.reasons { margin: .2em 0 .2em 1.1em; padding: 0; color: var(--muted); font-size: .9em; }
    .tiles { display: flex; gap: .8em; margin: .5em 0; }
    .tile { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5em 1em; min-width: 8em; }
    .tile b { display: block; font-size: 1.8em; }
    .tile.healthy b { color: #2c8a3e; } .tile.degraded b { color: var(--warning); } .tile.critical b { color: var(--critical); }
    table { border-collapse: collapse; background: #fff; }
    td, th { border: 1px solid var(--line); padding: .25em .5em; text-align: left; vertical-align: top; }
    .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
    .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5em .8em; margin-bottom: .6em; overflow-wrap: anywhere; }
    .card h3 { margin: 0 0 .3em; font-size: 1em; }
    .meta { color: var(--muted); font-size: .85em; }
    """#
}
