extension WebAssets {
    /// The page's code: reads the view from the query string, asks the API for what is in view, draws it.
    static let script = #"""
'use strict';
// cmem's web page. Everything it shows comes from the REST API of the server that served it; every
// text from the memory goes into the page through textContent or an SVG attribute, never as markup.
(() => {
  const SVGNS = 'http://www.w3.org/2000/svg';
  const SEVERITIES = ['info', 'warning', 'error', 'critical'];
  const VIEWS = ['timeline', 'infra', 'sessions'];
  const MINUTE = 60e3, HOUR = 3600e3, DAY = 86400e3;
  const MIN_SPAN = 5 * MINUTE, MAX_SPAN = 90 * DAY, DEFAULT_SPAN = DAY;
  // Above this many events in view the page draws counts per bucket, and on top of them only the
  // events of the highest severities that fit: a view never asks for more than this many events.
  const EVENT_LIMIT = 500;
  const LANE_H = 26, LABEL_W = 180, AXIS_H = 26, RIGHT_PAD = 12, MAX_LANES = 60;

  const $ = (id) => document.getElementById(id);
  // Counters a test or a benchmark reads: API calls made, bytes received, renders done.
  const stats = window.cmemStats = { calls: 0, bytes: 0, renders: 0, errors: 0, firstRender: undefined };

  // ---------------------------------------------------------------- the URL holds the view
  const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:\/-]{0,127}$/;
  const COMPONENT = /^[^\s\/\\?#&=,]{1,253}$/;
  const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
  const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
  const DURATION = /^(\d{1,6})(m|h|d)$/;

  function parseTime(v) {
    if (!TIME.test(v)) return { error: `"${clip(v)}" is not a time such as 2026-01-19T14:30:00Z` };
    const t = Date.parse(v.length === 10 ? v + 'T00:00:00Z' : v);
    return isNaN(t) ? { error: `"${clip(v)}" is not a valid date` } : { value: t };
  }
  function parseDuration(v) {
    const m = DURATION.exec(v);
    if (!m) return { error: `"${clip(v)}" is not a duration such as 30m, 24h or 7d` };
    const ms = Number(m[1]) * { m: MINUTE, h: HOUR, d: DAY }[m[2]];
    return ms > 0 ? { value: v } : { error: 'a duration must be above zero' };
  }
  const listOf = (re, what) => (v) => {
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.find((s) => !re.test(s));
    return bad !== undefined ? { error: `"${clip(bad)}" is not ${what}` } : { value: items };
  };
  const text = (max) => (v) => v.length > max ? { error: `longer than ${max} characters` } : { value: v };
  const oneOf = (values) => (v) => values.includes(v) ? { value: v } : { error: `"${clip(v)}" is not one of ${values.join(', ')}` };
  const PARAMS = {
    view: oneOf(VIEWS), start: parseTime, end: parseTime, span: parseDuration,
    component: listOf(COMPONENT, 'a component name'), type: listOf(TOKEN, 'an event type'), source: listOf(TOKEN, 'a source'),
    severity: oneOf(SEVERITIES), q: text(1024), event: (v) => ID.test(v) ? { value: v } : { error: `"${clip(v)}" is not an event id` },
    symptom: text(2000), at: parseTime, timeframe: parseDuration,
    since: (v) => DURATION.test(v) ? { value: v } : (parseTime(v).error ? { error: `"${clip(v)}" is neither a time nor a duration such as 24h` } : { value: v }),
    project: text(256), search: text(1024), group: oneOf(['component', 'prefix']),
  };
  const LISTS = new Set(['component', 'type', 'source']);

  function clip(s) { s = String(s); return s.length > 60 ? s.slice(0, 60) + '…' : s; }

  /** The view a query string describes, and what is wrong with it (each problem in words). */
  function parseQuery(search) {
    const out = { component: [], type: [], source: [] };
    const errors = [];
    const raw = search.replace(/^\?/, '');
    for (const part of raw ? raw.split('&') : []) {
      if (!part) continue;
      const eq = part.indexOf('=');
      let key, value;
      try {
        key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
        value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
      } catch (e) {
        errors.push(`"${clip(part)}" is not correctly percent-encoded`);
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(PARAMS, key)) {
        errors.push(`unknown parameter "${clip(key)}" (the page knows ${Object.keys(PARAMS).join(', ')})`);
        continue;
      }
      if (value === '' && !LISTS.has(key)) continue;
      const r = PARAMS[key](value);
      if (r.error) errors.push(`parameter ${key}: ${r.error}`);
      else if (LISTS.has(key)) out[key].push(...r.value);
      else out[key] = r.value;
    }
    if (out.start !== undefined && out.end !== undefined) {
      if (out.end <= out.start) { errors.push('parameter end must be after start'); delete out.start; delete out.end; }
      else if (out.end - out.start > MAX_SPAN) { errors.push('the range is longer than 90 days; showing the last 90 days of it'); out.start = out.end - MAX_SPAN; }
      else if (out.end - out.start < MIN_SPAN) { out.start = out.end - MIN_SPAN; }
    } else if (out.start !== undefined || out.end !== undefined) {
      errors.push('parameters start and end go together; showing the last 24 hours');
      delete out.start; delete out.end;
    }
    return { view: out, errors };
  }

  const state = {
    view: 'timeline', start: undefined, end: undefined, span: '', component: [], type: [], source: [], severity: '', q: '',
    event: '', symptom: '', at: undefined, timeframe: '24h', since: '24h', project: '', search: '', group: 'component',
  };

  function queryString() {
    const p = new URLSearchParams();
    if (state.view !== 'timeline') p.set('view', state.view);
    if (state.start !== undefined) { p.set('start', iso(state.start)); p.set('end', iso(state.end)); }
    else if (state.span && state.span !== '24h') p.set('span', state.span);
    for (const k of LISTS) for (const v of state[k]) p.append(k, v);
    for (const k of ['severity', 'q', 'event', 'symptom']) if (state[k]) p.set(k, state[k]);
    if (state.group !== 'component') p.set('group', state.group);
    if (state.symptom && state.at !== undefined) p.set('at', iso(state.at));
    if (state.symptom && state.timeframe !== '24h') p.set('timeframe', state.timeframe);
    if (state.view === 'infra' && state.since !== '24h') p.set('since', state.since);
    if (state.project) p.set('project', state.project);
    if (state.search) p.set('search', state.search);
    const s = p.toString();
    return s ? '?' + s : location.pathname;
  }
  function saveURL(push) {
    pendingBanner = '';
    const url = queryString();
    if (url === location.search || (url === location.pathname && !location.search)) return;
    if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
  }

  function applyQuery(search) {
    const { view, errors } = parseQuery(search);
    Object.assign(state, {
      view: view.view || 'timeline', start: view.start, end: view.end, span: view.span || '',
      component: view.component, type: view.type, source: view.source, severity: view.severity || '', q: view.q || '',
      event: view.event || '', symptom: view.symptom || '', at: view.at, timeframe: view.timeframe || '24h',
      since: view.since || '24h', project: view.project || '', search: view.search || '', group: view.group || 'component',
    });
    if (state.start === undefined && state.span && spanMs(state.span) > MAX_SPAN) { errors.push('parameter span is over 90 days; showing 90 days'); state.span = '90d'; }
    if (errors.length) banner(`This link's query string has problems, so part of it was ignored:\n• ${errors.join('\n• ')}`);
    else banner('');
  }

  function spanMs(d) { const m = DURATION.exec(d); return m ? Number(m[1]) * { m: MINUTE, h: HOUR, d: DAY }[m[2]] : DEFAULT_SPAN; }
  function range() {
    if (state.start !== undefined) return [state.start, state.end];
    const end = Math.ceil(Date.now() / MINUTE) * MINUTE;
    return [end - (state.span ? spanMs(state.span) : DEFAULT_SPAN), end];
  }
  function setRange(start, end) {
    let span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, end - start));
    const mid = (start + end) / 2;
    state.start = Math.round(mid - span / 2);
    state.end = state.start + span;
    state.span = '';
  }

  // ---------------------------------------------------------------- the API
  class APIError extends Error {
    constructor(message, status, retryAfter) { super(message); this.status = status; this.retryAfter = retryAfter; }
  }
  async function api(path, body) {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem('cmem-token');
    if (token) headers.Authorization = 'Bearer ' + token;
    const init = { method: body ? 'POST' : 'GET', headers, cache: 'no-store', credentials: 'same-origin', redirect: 'error' };
    if (body) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    stats.calls++;
    let response;
    try { response = await fetch(path, init); } catch (e) { throw new APIError('the server did not answer: ' + e.message, 0); }
    const raw = await response.text();
    stats.bytes += raw.length;
    let data = null;
    try { data = JSON.parse(raw); } catch (e) { /* the message below says what came back */ }
    if (response.status === 401) {
      $('token-form').hidden = false;
      throw new APIError((data && data.error && data.error.message) || 'this server needs a bearer token', 401);
    }
    if (!response.ok) {
      const retry = response.headers.get('Retry-After');
      const message = (data && data.error && data.error.message) || `HTTP ${response.status}`;
      throw new APIError(retry ? `${message} (retrying in ${retry} s)` : message, response.status, Number(retry) || 0);
    }
    if (data === null) throw new APIError('the server answered something that is not JSON', response.status);
    return data;
  }
  const qs = (params) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) v.forEach((x) => p.append(k, x)); else if (v !== undefined && v !== '' && v !== null) p.set(k, v);
    }
    return p.toString();
  };

  // ---------------------------------------------------------------- small DOM helpers (text only)
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k === 'onclick') e.addEventListener('click', v); else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  function svg(tag, attrs, parent) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function banner(message) { const b = $('banner'); b.textContent = message; b.hidden = !message; }
  function status(message) { $('status').textContent = message; }
  function failed(where, e) {
    stats.errors++;
    banner(`${where}: ${e.message}`);
  }
  const sevBadge = (s) => el('span', { class: 'sev ' + (SEVERITIES.includes(s) ? s : 'info') }, s);
  function iso(t) { return new Date(t).toISOString().replace('.000Z', 'Z'); }
  function when(t) { return new Date(t).toISOString().replace('T', ' ').replace(/(:\d\d)\.\d+Z$/, '$1').replace(/Z$/, '') + ' UTC'; }
  function duration(ms) {
    if (ms >= DAY) return `${+(ms / DAY).toFixed(1)} d`;
    if (ms >= HOUR) return `${+(ms / HOUR).toFixed(1)} h`;
    if (ms >= MINUTE) return `${+(ms / MINUTE).toFixed(1)} min`;
    return `${Math.round(ms / 1000)} s`;
  }
  const eventLink = (id, label) => el('a', { class: 'ev', 'data-event': id, onclick: () => selectEvent(id, true) }, label || id);

  // ---------------------------------------------------------------- timeline data
  let data = null; // { buckets, events, floor, start, end }
  let answer = null; // the correlate answer drawn on the timeline
  let answeredFor = '';
  let loadGeneration = 0;

  function filters() {
    return { component: state.component, type: state.type, source: state.source, severity: state.severity, q: state.q };
  }

  async function loadTimeline() {
    const generation = ++loadGeneration;
    document.body.dataset.ready = '';
    const [start, end] = range();
    const plot = plotWidth();
    const count = Math.max(20, Math.min(400, Math.floor(plot / 6)));
    status('loading…');
    try {
      const b = await api('/memory/timeline/buckets?' + qs({ ...filters(), start: iso(start), end: iso(end), buckets: count, lanes: MAX_LANES, group: state.group }));
      if (generation !== loadGeneration) return;
      let events = [], floor = null;
      if (b.total <= EVENT_LIMIT) {
        if (b.total > 0) events = (await api('/memory/timeline?' + qs({ ...filters(), start: iso(start), end: iso(end), limit: EVENT_LIMIT }))).events;
      } else {
        // The highest severities whose events fit, drawn over the counts.
        const wanted = SEVERITIES.indexOf(state.severity || 'info');
        let sum = 0;
        for (let i = 3; i >= Math.max(1, wanted); i--) {
          const n = b.severity_totals[SEVERITIES[i]];
          if (sum + n > EVENT_LIMIT) break;
          sum += n;
          floor = SEVERITIES[i];
        }
        if (floor && sum > 0) {
          events = (await api('/memory/timeline?' + qs({ ...filters(), severity: floor, start: iso(start), end: iso(end), limit: EVENT_LIMIT }))).events;
        }
      }
      if (generation !== loadGeneration) return;
      data = { buckets: b, events, floor, start, end, mode: b.total <= EVENT_LIMIT ? 'events' : 'buckets' };
      banner(pendingBanner);
      draw();
      // When the first timeline was on screen, from the start of navigation (for cmem-bench web).
      if (stats.firstRender === undefined) stats.firstRender = performance.now();
      status('');
      document.body.dataset.ready = 'timeline';
    } catch (e) {
      if (generation !== loadGeneration) return;
      status('');
      failed('The timeline could not be loaded', e);
      document.body.dataset.ready = 'timeline-error';
      // The index is still opening (a large memory after a restart): try again when the server says.
      if (e.status === 503 && e.retryAfter) setTimeout(() => { if (generation === loadGeneration) loadTimeline(); }, e.retryAfter * 1000);
    }
  }
  let pendingBanner = '';

  // ---------------------------------------------------------------- drawing
  const chart = () => $('chart');
  function plotWidth() { return Math.max(200, $('chart-wrap').clientWidth - LABEL_W - RIGHT_PAD); }
  // One lane per component, or per name prefix ("payments" for payments-api and payments-db): a stack.
  function laneKey(component) { return state.group === 'prefix' && component ? component.split(/[-_.]/)[0] || component : component; }
  function laneOf(e) { return laneKey((e.affected_components && e.affected_components[0]) || ''); }
  /** The buckets' lanes under the chosen grouping: cells of lanes that share a key are added up. */
  function bucketLanes() {
    const lanes = new Map();
    for (const l of data.buckets.lanes) {
      const key = laneKey(l.component);
      if (!lanes.has(key)) lanes.set(key, new Map());
      const cells = lanes.get(key);
      for (const c of l.cells) {
        const sum = cells.get(c[0]) || [c[0], 0, 0, 0, 0];
        for (let i = 1; i < 5; i++) sum[i] += c[i];
        cells.set(c[0], sum);
      }
    }
    const out = [...lanes].map(([component, cells]) => ({ component, cells: [...cells.values()] }));
    if (data.buckets.others) out.push({ component: OTHERS, cells: data.buckets.others.cells });
    return out;
  }
  // The lane of the quieter components the answer left out, added up (drawn last).
  const OTHERS = ' others'; // a space: no component name has one

  function shapeOf(type) {
    const t = String(type).toLowerCase();
    if (/incident|alert|anomal|outage|fail|crash|oom|restart|unhealthy|degrad|error|probe/.test(t)) return 'triangle';
    if (/deploy|sync|rollout|release|rollback|upgrade/.test(t)) return 'square';
    if (/commit|push|merge|pull|pr_|git|tag/.test(t)) return 'circle';
    if (/config|secret|scal|limit|policy|cert|setting|change/.test(t)) return 'diamond';
    return 'dot';
  }
  function shape(kind, x, y, parent, attrs) {
    let node;
    switch (kind) {
      case 'triangle': node = svg('path', { d: `M${x},${y - 7}L${x + 7},${y + 5}L${x - 7},${y + 5}Z` }, parent); break;
      case 'square': node = svg('rect', { x: x - 5.5, y: y - 5.5, width: 11, height: 11, rx: 1.5 }, parent); break;
      case 'diamond': node = svg('path', { d: `M${x},${y - 7}L${x + 7},${y}L${x},${y + 7}L${x - 7},${y}Z` }, parent); break;
      case 'circle': node = svg('circle', { cx: x, cy: y, r: 6 }, parent); break;
      default: node = svg('circle', { cx: x, cy: y, r: 4 }, parent);
    }
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  const COLORS = { info: '#3b82c4', warning: '#d99a00', error: '#e0452b', critical: '#8e0a3a' };

  function drawLegend() {
    const legend = clear($('legend'));
    for (const s of SEVERITIES) {
      const icon = svg('svg', { width: 12, height: 12 });
      svg('rect', { width: 12, height: 12, rx: 2, fill: COLORS[s] }, icon);
      legend.append(el('span', {}, icon, ' ' + s));
    }
    for (const [kind, label] of [['triangle', 'failure'], ['square', 'deploy'], ['circle', 'commit'], ['diamond', 'config'], ['dot', 'other']]) {
      const icon = svg('svg', { width: 16, height: 16 });
      shape(kind, 8, 8.5, icon, { fill: '#667380' });
      legend.append(el('span', {}, icon, ' ' + label));
    }
  }

  function lanes() {
    const names = new Set();
    if (data) {
      for (const l of data.buckets.lanes) names.add(laneKey(l.component));
      for (const e of data.events) names.add(laneOf(e));
    }
    if (answer) for (const e of answerEvents()) names.add(laneOf(e.event || e));
    const list = [...names].sort((a, b) => (a === '') - (b === '') || a.localeCompare(b));
    if (data && data.mode === 'buckets' && data.buckets.others) list.push(OTHERS);
    return list;
  }

  function draw() {
    if (!data) return;
    const svgRoot = clear(chart());
    const [start, end] = range();
    const width = $('chart-wrap').clientWidth;
    const names = lanes();
    const laneIndex = new Map(names.map((n, i) => [n, i]));
    const height = AXIS_H + Math.max(1, names.length) * LANE_H + 8;
    svgRoot.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svgRoot.setAttribute('height', height);
    const plot = plotWidth();
    const x = (t) => LABEL_W + ((t - start) / (end - start)) * plot;
    const laneY = (name) => AXIS_H + (laneIndex.get(name) ?? 0) * LANE_H + LANE_H / 2;

    const defs = svg('defs', {}, svgRoot);
    const marker = svg('marker', { id: 'arrowhead', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
    svg('path', { d: 'M0,0L10,5L0,10Z', fill: '#8795a1' }, marker);
    const clip = svg('clipPath', { id: 'plot-clip' }, defs);
    svg('rect', { x: LABEL_W, y: 0, width: plot + RIGHT_PAD, height }, clip);

    names.forEach((name, i) => {
      svg('rect', { class: 'lane-bg' + (i % 2 ? ' odd' : ''), x: 0, y: AXIS_H + i * LANE_H, width, height: LANE_H }, svgRoot);
      const label = svg('text', { class: 'lane-label', x: 6, y: AXIS_H + i * LANE_H + LANE_H / 2 + 4, 'data-lane': name }, svgRoot);
      const shown = name === OTHERS ? `(${data.buckets.omitted_lanes} other ${state.group === 'prefix' ? 'stacks' : 'components'})`
        : (name || '(no component)') + (state.group === 'prefix' && name ? '-*' : '');
      label.textContent = shown.length > 26 ? shown.slice(0, 25) + '…' : shown;
      svg('title', {}, label).textContent = shown;
    });
    if (!names.length) {
      const t = svg('text', { class: 'lane-label', x: LABEL_W + 10, y: AXIS_H + 16 }, svgRoot);
      t.textContent = 'No events in this range with these filters.';
    }

    const plotGroup = svg('g', { id: 'plot', 'clip-path': 'url(#plot-clip)' }, svgRoot);
    const inner = svg('g', { id: 'plot-inner' }, plotGroup);
    drawTicks(inner, svgRoot, start, end, x, height);

    if (data.mode === 'buckets') {
      const b = data.buckets;
      const bStart = Date.parse(b.start), bw = b.bucket_ms;
      const grouped = bucketLanes();
      let max = 1;
      for (const l of grouped) for (const c of l.cells) max = Math.max(max, c[1] + c[2] + c[3] + c[4]);
      for (const l of grouped) {
        const y = laneY(l.component) - LANE_H / 2 + 3;
        for (const c of l.cells) {
          const n = c[1] + c[2] + c[3] + c[4];
          const worst = c[4] ? 'critical' : c[3] ? 'error' : c[2] ? 'warning' : 'info';
          const t0 = bStart + c[0] * bw;
          const x0 = x(t0), x1 = x(t0 + bw);
          const r = svg('rect', {
            class: 'cell', x: x0, y, width: Math.max(1, x1 - x0 - 0.5), height: LANE_H - 6, fill: COLORS[worst],
            'fill-opacity': (0.2 + 0.8 * Math.log1p(n) / Math.log1p(max)).toFixed(2), 'data-count': n,
          }, inner);
          svg('title', {}, r).textContent = `${l.component === OTHERS ? 'other components' : l.component || '(no component)'}: ${n} event${n === 1 ? '' : 's'} from ${when(t0)} (${c[1]} info, ${c[2]} warning, ${c[3]} error, ${c[4]} critical); click to zoom in`;
          r.addEventListener('click', (ev) => { ev.stopPropagation(); zoomTo(t0 - bw * 2, t0 + bw * 3); });
        }
      }
    }

    const positions = new Map();
    for (const e of data.events) {
      const t = Date.parse(e.timestamp);
      positions.set(e.event_id, [x(t), laneY(laneOf(e))]);
    }
    // caused_by arrows, under the shapes.
    for (const e of data.events) {
      if (!e.caused_by || !positions.has(e.caused_by)) continue;
      const [x1, y1] = positions.get(e.caused_by), [x2, y2] = positions.get(e.event_id);
      // A straight arrow from the edge of the cause's shape to the edge of the effect's.
      const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy);
      if (len < 16) continue;
      const ux = dx / len, uy = dy / len;
      svg('path', { class: 'arrow', d: `M${x1 + ux * 7},${y1 + uy * 7}L${x2 - ux * 8},${y2 - uy * 8}`, 'marker-end': 'url(#arrowhead)',
        'data-from': e.caused_by, 'data-to': e.event_id }, inner);
    }
    for (const e of data.events) {
      const [px, py] = positions.get(e.event_id);
      const node = shape(shapeOf(e.event_type), px, py, inner, {
        class: 'event' + (e.event_id === state.event ? ' selected' : ''), fill: COLORS[e.severity] || COLORS.info,
        'data-id': e.event_id, 'data-type': e.event_type, 'data-severity': e.severity, tabindex: 0,
      });
      svg('title', {}, node).textContent = `${when(Date.parse(e.timestamp))} · ${e.event_type} · ${e.severity}\n${clip120(e.description)}`;
      node.addEventListener('click', (ev) => { ev.stopPropagation(); selectEvent(e.event_id, true); });
      node.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') selectEvent(e.event_id, true); });
    }
    if (answer) drawAnswer(inner, svgRoot, x, laneY, height);
    updateToolbar();
    stats.renders++;
  }
  function clip120(s) { s = String(s); return s.length > 240 ? s.slice(0, 240) + '…' : s; }

  const STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];
  function drawTicks(group, root, start, end, x, height) {
    const span = end - start;
    const step = STEPS.find((s) => span / s <= 10) || 30 * DAY;
    for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
      const px = x(t);
      svg('line', { class: 'tick', x1: px, x2: px, y1: AXIS_H - 4, y2: height }, group);
      const label = svg('text', { class: 'tick-label', x: px + 3, y: 14 }, group);
      const d = new Date(t).toISOString();
      label.textContent = step >= DAY ? d.slice(5, 10) : (t % DAY === 0 ? d.slice(5, 10) + ' ' : '') + d.slice(11, 16);
    }
    const utc = svg('text', { class: 'tick-label', x: 6, y: 14 }, root);
    utc.textContent = 'UTC';
  }

  function updateToolbar() {
    const [start, end] = range();
    $('range').textContent = `${when(start)} → ${when(end)} (${duration(end - start)})`;
    let c = '';
    if (data) {
      const b = data.buckets;
      if (data.mode === 'events') c = `${data.events.length} event${data.events.length === 1 ? '' : 's'}`;
      else {
        c = `${b.total} events, counted per ${duration(b.bucket_ms)}`;
        c += data.floor ? `; ${data.events.length} of severity ${data.floor} or worse drawn` : '; zoom in to see single events';
      }
      if (b.omitted_lanes && data.mode === 'buckets') c += `; ${b.omitted_lanes} quieter lanes (${b.omitted_events} events) added up in the last`;
    }
    $('count').textContent = c;
    const f = $('filters');
    f.span.value = state.start === undefined ? (state.span || '24h') : '';
  }

  // ---------------------------------------------------------------- zoom and pan
  function zoomTo(start, end) {
    setRange(start, end);
    saveURL(false);
    draw();
    scheduleLoad();
  }
  function zoom(factor, anchor) {
    const [start, end] = range();
    const span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, (end - start) * factor));
    const a = anchor === undefined ? (start + end) / 2 : anchor;
    const ratio = (a - start) / (end - start);
    zoomTo(a - ratio * span, a - ratio * span + span);
  }
  function move(fraction) {
    const [start, end] = range();
    const d = (end - start) * fraction;
    zoomTo(start + d, end + d);
  }
  let loadTimer = null;
  function scheduleLoad() { clearTimeout(loadTimer); loadTimer = setTimeout(loadTimeline, 180); }

  function installPanZoom() {
    const root = chart();
    let drag = null;
    root.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const rect = root.getBoundingClientRect();
      const [start, end] = range();
      const px = ev.clientX - rect.left - LABEL_W;
      const anchor = start + Math.max(0, Math.min(1, px / plotWidth())) * (end - start);
      zoom(ev.deltaY > 0 ? 1.25 : 0.8, anchor);
    }, { passive: false });
    root.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0 || ev.target.closest('.event, .cell')) return;
      drag = { x: ev.clientX, moved: 0 };
      root.setPointerCapture(ev.pointerId);
      root.classList.add('dragging');
    });
    root.addEventListener('pointermove', (ev) => {
      if (!drag) return;
      drag.moved = ev.clientX - drag.x;
      const inner = document.getElementById('plot-inner');
      if (inner) inner.setAttribute('transform', `translate(${drag.moved},0)`);
    });
    const end = () => {
      if (!drag) return;
      root.classList.remove('dragging');
      const moved = drag.moved;
      drag = null;
      if (Math.abs(moved) > 2) {
        const [s, e] = range();
        const d = (-moved / plotWidth()) * (e - s);
        zoomTo(s + d, e + d);
      }
    };
    root.addEventListener('pointerup', end);
    root.addEventListener('pointercancel', end);
    document.addEventListener('keydown', (ev) => {
      if (state.view !== 'timeline' || ev.target.closest('input, select, textarea')) return;
      if (ev.key === '+' || ev.key === '=') zoom(0.5);
      else if (ev.key === '-') zoom(2);
      else if (ev.key === 'ArrowLeft') move(-0.25);
      else if (ev.key === 'ArrowRight') move(0.25);
    });
    $('toolbar').addEventListener('click', (ev) => {
      const b = ev.target.closest('button');
      if (!b) return;
      if (b.dataset.zoom) zoom(Number(b.dataset.zoom));
      if (b.dataset.move) move(Number(b.dataset.move));
    });
    $('now').addEventListener('click', () => { state.start = state.end = undefined; state.span = '24h'; saveURL(true); loadTimeline(); });
    let resize = null;
    // Only a change of width changes what is drawn (and how many buckets to ask for).
    let width = $('chart-wrap').clientWidth;
    window.addEventListener('resize', () => {
      clearTimeout(resize);
      resize = setTimeout(() => {
        if ($('chart-wrap').clientWidth === width) return;
        width = $('chart-wrap').clientWidth;
        draw();
        scheduleLoad();
      }, 200);
    });
  }

  // ---------------------------------------------------------------- details of one event
  let detailGeneration = 0;
  async function selectEvent(id, push) {
    state.event = id;
    saveURL(push);
    for (const n of chart().querySelectorAll('.event')) n.classList.toggle('selected', n.dataset.id === id);
    const box = clear($('details'));
    box.append(el('p', { class: 'hint' }, 'loading ' + id + '…'));
    const generation = ++detailGeneration;
    try {
      const d = await api('/memory/timeline/event/' + encodeURIComponent(id));
      if (generation !== detailGeneration) return;
      renderDetails(d);
    } catch (e) {
      if (generation !== detailGeneration) return;
      clear(box).append(el('p', {}, e.status === 404 ? `No event with id ${id} in this memory.` : `The event could not be loaded: ${e.message}`));
    }
  }

  function renderDetails(d) {
    const e = d.event;
    const box = clear($('details'));
    box.dataset.event = e.event_id;
    box.append(el('h2', {}, sevBadge(e.severity), ' ', e.event_type));
    box.append(el('p', { class: 'description' }, e.description));
    const commit = e.details && (e.details.sha || e.details.commit || e.details.revision);
    const dl = el('dl', { class: 'fields' });
    const row = (k, v) => { if (v !== null && v !== undefined && v !== '') dl.append(el('dt', {}, k), el('dd', {}, v)); };
    row('time', when(Date.parse(e.timestamp)));
    row('id', e.event_id);
    row('source', e.source);
    row('components', (e.affected_components || []).join(', '));
    row('commit', typeof commit === 'string' ? commit : null);
    row('file', d.location ? fileRow(d.location) : null);
    row('caused by', d.caused_by ? eventLink(d.caused_by.event_id, `${d.caused_by.event_type}: ${clip(d.caused_by.description)}`)
      : (e.caused_by ? `${e.caused_by} (not in this memory)` : null));
    box.append(dl);
    showHistory(e.event_id, dl);
    if (d.caused && d.caused.length) {
      box.append(el('h3', {}, `Effects (${d.caused.length})`));
      const ul = el('ul', { class: 'plain' });
      for (const c of d.caused) ul.append(el('li', {}, sevBadge(c.severity), ' ', eventLink(c.event_id, `${c.event_type}: ${clip(c.description)}`)));
      box.append(ul);
    }
    if (e.details && Object.keys(e.details).length) {
      box.append(el('h3', {}, 'Details'), el('pre', {}, JSON.stringify(e.details, null, 2)));
    }
    const t = Date.parse(e.timestamp);
    const [start, end] = range();
    if (t < start || t > end) {
      box.append(el('p', {}, el('button', { type: 'button', onclick: () => zoomTo(t - HOUR, t + HOUR) }, 'Show on the timeline')));
    }
  }

  /** Where the event is written: `PATH:LINE`, with a button that shows the note's lines around it. A location
   *  in history (`COMMIT:PATH`, a day file retention rolled up) is only named. */
  function fileRow(location) {
    const code = el('code', { title: 'in the memory repository' }, location);
    const m = /^(.+\.md):(\d+)$/.exec(location);
    if (!m || /^[0-9a-f]{40}:/.test(location)) return code;
    const lines = el('div', { class: 'note-lines' });
    const button = el('button', { type: 'button', class: 'show-note', onclick: () => showNote(m[1], Number(m[2]), lines, button) }, 'show');
    return el('span', {}, code, ' ', button, lines);
  }
  async function showNote(path, line, box, button) {
    button.disabled = true;
    try {
      const n = await api('/memory/note?' + qs({ path, line, context: 12 }));
      const pre = el('pre', { class: 'note' });
      n.lines.forEach((text, i) => {
        const number = n.first_line + i;
        pre.append(el('span', { class: number === n.line ? 'line here' : 'line' }, String(number).padStart(5, ' ') + '  ' + text + '\n'));
      });
      clear(box).append(pre);
    } catch (e) {
      clear(box).append(el('p', {}, `The note could not be read: ${e.message}`));
    } finally {
      button.disabled = false;
    }
  }

  /** The memory commit that wrote the event (the oldest of its history), added to the details when known. */
  async function showHistory(id, dl) {
    try {
      const h = await api('/memory/history/' + encodeURIComponent(id) + '?limit=10');
      if (state.event !== id || !h.commits.length) return;
      const c = h.commits[h.commits.length - 1];
      const later = h.commits.length - 1;
      dl.append(el('dt', {}, 'written in'), el('dd', { class: 'written-in' }, el('code', {}, c.commit.slice(0, 10)),
        ` ${c.message.split('\n')[0]} (${c.author}, ${when(Date.parse(c.time))})` + (later ? `; changed in ${later} later commit${later > 1 ? 's' : ''}` : '')));
    } catch (e) {
      // The details stand without their history (an old event in a long history may take too long).
    }
  }

  // ---------------------------------------------------------------- what broke it
  function answerEvents() {
    if (!answer) return [];
    const out = [];
    if (answer.onset_event) out.push(answer.onset_event);
    if (answer.probable_cause) out.push(answer.probable_cause);
    for (const c of answer.chain || []) out.push(c);
    for (const r of answer.related_events || []) out.push(r);
    return out;
  }

  /** Runs the symptom box's question; `fit`: move the range onto the answer (not when a link gave one). */
  async function correlate(push, fit = true) {
    const body = { symptom: state.symptom, timeframe: state.timeframe };
    if (state.at !== undefined) body.at = iso(state.at);
    const box = $('answer');
    box.hidden = false;
    clear(box).append(el('p', { class: 'hint' }, 'correlating…'));
    try {
      const a = await api('/memory/timeline/correlate', body);
      answer = a;
      answeredFor = state.symptom;
      renderAnswer(a);
      if (fit) {
        const times = answerEvents().map((e) => Date.parse(e.timestamp)).concat([Date.parse(a.onset)]).filter((t) => !isNaN(t));
        const lo = Math.min(...times), hi = Math.max(...times);
        const pad = Math.max((hi - lo) * 0.15, 20 * MINUTE);
        setRange(lo - pad, hi + pad);
      }
      saveURL(push);
      await loadTimeline();
      document.body.dataset.answer = a.probable_cause ? a.probable_cause.event_id : 'none';
    } catch (e) {
      clear(box).append(el('p', {}, `Correlation failed: ${e.message}`));
      document.body.dataset.answer = 'error';
    }
  }

  function renderAnswer(a) {
    const box = clear($('answer'));
    box.hidden = false;
    box.append(el('h2', {}, 'What broke it?'));
    box.append(el('p', { class: 'meta' }, `“${clip(a.symptom)}”: onset ${when(Date.parse(a.onset))}`,
      a.onset_event ? el('span', {}, ' (', eventLink(a.onset_event.event_id, clip(a.onset_event.description)), ')') : null));
    const cause = a.probable_cause;
    if (cause) {
      const c = el('div', { class: 'cause', 'data-event': cause.event_id });
      c.append(el('h3', {}, 'Probable cause ', el('span', { class: 'meta' }, `(confidence ${a.confidence}, score ${cause.score})`)));
      c.append(el('p', {}, sevBadge(cause.severity), ' ', eventLink(cause.event_id, `${cause.event_type}: ${cause.description}`)));
      c.append(el('p', { class: 'meta' }, `${when(Date.parse(cause.timestamp))} · ${(cause.affected_components || []).join(', ')}`));
      c.append(reasons(cause.reasons));
      box.append(c);
    } else {
      box.append(el('p', {}, 'No plausible cause found in the timeline.'));
    }
    if (a.explanation) box.append(el('p', { class: 'explanation' }, a.explanation));
    if (a.chain && a.chain.length) {
      box.append(el('h3', {}, 'Chain'));
      const ol = el('ol', {});
      for (const e of a.chain) ol.append(el('li', {}, eventLink(e.event_id, `${e.event_type}: ${clip(e.description)}`), el('span', { class: 'meta' }, ' ' + when(Date.parse(e.timestamp)))));
      box.append(ol);
    }
    if (a.related_events && a.related_events.length) {
      box.append(el('h3', {}, 'Related, ranked'));
      const ol = el('ol', { class: 'ranked' });
      for (const r of a.related_events) {
        ol.append(el('li', { 'data-event': r.event_id }, sevBadge(r.severity), ' ', eventLink(r.event_id, `${r.event_type}: ${clip(r.description)}`),
          el('span', { class: 'meta' }, ` score ${r.score}`), reasons(r.reasons)));
      }
      box.append(ol);
    }
  }
  function reasons(list) {
    const ul = el('ul', { class: 'reasons' });
    for (const r of list || []) ul.append(el('li', {}, r));
    return ul;
  }

  function drawAnswer(group, root, x, laneY, height) {
    const onset = Date.parse(answer.onset);
    const ox = x(onset);
    svg('line', { class: 'onset', x1: ox, x2: ox, y1: AXIS_H - 6, y2: height }, group);
    const label = svg('text', { class: 'onset-label', x: ox + 4, y: AXIS_H - 2 }, group);
    label.textContent = 'onset';
    const at = (e) => [x(Date.parse(e.timestamp)), laneY(laneOf(e))];
    const chain = (answer.chain || []).slice();
    if (answer.probable_cause && !chain.some((e) => e.event_id === answer.probable_cause.event_id)) chain.push(answer.probable_cause);
    if (answer.onset_event) chain.push(answer.onset_event);
    chain.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    if (chain.length > 1) {
      svg('path', { class: 'chain', d: chain.map((e, i) => (i ? 'L' : 'M') + at(e).join(',')).join('') }, group);
    }
    (answer.related_events || []).forEach((r, i) => {
      const [px, py] = at(r);
      svg('circle', { class: 'related-ring', cx: px, cy: py, r: 10, 'data-event': r.event_id }, group);
      const n = svg('text', { class: 'mark-label', x: px + 9, y: py - 8 }, group);
      n.textContent = String(i + 1);
    });
    if (answer.probable_cause) {
      const c = answer.probable_cause;
      const [px, py] = at(c);
      const drawn = data.events.some((e) => e.event_id === c.event_id);
      if (!drawn) shape(shapeOf(c.event_type), px, py, group, { class: 'event', fill: COLORS[c.severity] || COLORS.info, 'data-id': c.event_id });
      svg('circle', { class: 'cause-ring', id: 'cause-mark', cx: px, cy: py, r: 12, 'data-event': c.event_id }, group);
      const t = svg('text', { class: 'mark-label', x: px + 14, y: py + 4 }, group);
      t.textContent = 'cause';
    }
  }

  // ---------------------------------------------------------------- infrastructure
  async function loadInfra() {
    const health = clear($('health'));
    const diff = clear($('diff'));
    $('diff-form').since.value = state.since;
    try {
      const h = await api('/memory/infrastructure/health');
      if (!h.collected) health.append(el('p', {}, h.message || 'No infrastructure state collected yet.'));
      else health.append(el('p', { class: 'meta' }, `collected ${h.collected_at ? when(Date.parse(h.collected_at)) : ''} · commit ${String(h.commit || '').slice(0, 10)}`));
      const tiles = el('div', { class: 'tiles' });
      for (const k of ['healthy', 'degraded', 'critical', 'unknown']) tiles.append(el('div', { class: 'tile ' + k, 'data-kind': k }, el('b', {}, String(h[k] ?? 0)), k));
      health.append(tiles);
      if (h.unhealthy && h.unhealthy.length) {
        health.append(el('h2', {}, 'Not healthy'));
        health.append(table(['component', 'kind', 'namespace', 'status', 'reasons'], h.unhealthy.map((c) =>
          [c.name, c.kind, c.namespace || '', c.status, (c.reasons || []).join('; ')])));
      }
      const failedSources = Object.entries(h.failed_sources || {});
      if (failedSources.length) {
        health.append(el('h2', {}, 'Sources that failed'));
        health.append(table(['source', 'error'], failedSources));
      }
      const d = await api('/memory/infrastructure/diff?' + qs({ since: state.since }));
      diff.append(el('h2', {}, `Changed since ${d.since ? when(Date.parse(d.since)) : state.since}`));
      const summary = (c) => [c.name, c.kind, c.namespace || '', c.status || ''];
      if (d.added && d.added.length) diff.append(el('h3', {}, 'Added'), table(['name', 'kind', 'namespace', 'status'], d.added.map(summary)));
      if (d.removed && d.removed.length) diff.append(el('h3', {}, 'Removed'), table(['name', 'kind', 'namespace', 'status'], d.removed.map(summary)));
      if (d.changed && d.changed.length) {
        diff.append(el('h3', {}, 'Changed'), table(['component', 'field', 'was', 'now'], d.changed.map((c) =>
          [c.component || c.name, c.field, JSON.stringify(c.old), JSON.stringify(c.new)])));
      }
      if (!(d.added || []).length && !(d.removed || []).length && !(d.changed || []).length) diff.append(el('p', {}, 'Nothing changed.'));
      document.body.dataset.ready = 'infra';
    } catch (e) {
      failed('Infrastructure could not be loaded', e);
      document.body.dataset.ready = 'infra-error';
    }
  }
  function table(head, rows) {
    const t = el('table', {});
    t.append(el('tr', {}, ...head.map((h) => el('th', {}, h))));
    for (const r of rows) t.append(el('tr', {}, ...r.map((c) => el('td', {}, c))));
    return t;
  }

  // ---------------------------------------------------------------- sessions and decisions
  async function loadSessions() {
    const f = $('session-search');
    f.project.value = state.project;
    f.search.value = state.search;
    const sessions = clear($('sessions')), decisions = clear($('decisions')), handoff = clear($('handoff'));
    try {
      const [s, d] = await Promise.all([
        api('/memory/sessions?' + qs({ project: state.project, q: state.search, limit: 20 })),
        api('/memory/decisions?' + qs({ q: state.search, limit: 30 })),
      ]);
      if (state.project) await showHandoff(state.project, handoff);
      for (const hit of s.results) {
        const r = hit.record;
        sessions.append(el('div', { class: 'card session', 'data-id': r.session_id },
          el('h3', {}, r.current_task || r.summary || r.session_id),
          el('p', { class: 'meta' }, `${r.project} · ${r.status} · ${when(Date.parse(r.started_at))}${r.ended_at ? ' → ' + when(Date.parse(r.ended_at)) : ''}`),
          r.summary ? el('p', {}, r.summary) : null,
          r.blockers && r.blockers.length ? el('p', {}, 'Blockers: ' + r.blockers.join('; ')) : null,
          r.next_steps && r.next_steps.length ? el('p', {}, 'Next: ' + r.next_steps.join('; ')) : null));
      }
      if (!s.results.length) sessions.append(el('p', { class: 'meta' }, 'No sessions found.'));
      // Without a project named, where the latest session's project left off.
      if (!state.project && s.results.length && s.results[0].record.project) await showHandoff(s.results[0].record.project, handoff);
      for (const r of d.decisions) {
        decisions.append(el('div', { class: 'card decision', 'data-id': r.decision_id },
          el('h3', {}, r.decision),
          el('p', { class: 'meta' }, `${r.project || ''} · ${r.status} · ${when(Date.parse(r.timestamp))}`),
          r.rationale ? el('p', {}, 'Why: ' + r.rationale) : null,
          r.alternatives && r.alternatives.length ? el('p', {}, 'Alternatives: ' + r.alternatives.join('; ')) : null));
      }
      if (!d.decisions.length) decisions.append(el('p', { class: 'meta' }, 'No decisions found.'));
      document.body.dataset.ready = 'sessions';
    } catch (e) {
      failed('Sessions and decisions could not be loaded', e);
      document.body.dataset.ready = 'sessions-error';
    }
  }

  async function showHandoff(project, box) {
    try {
      const h = await api('/memory/handoff/' + encodeURIComponent(project));
      box.append(el('div', { class: 'card handoff' }, el('h2', {}, `Where we left off: ${h.project}`), el('pre', {}, h.text)));
    } catch (e) {
      box.append(el('p', { class: 'meta' }, e.status === 404 ? `No handoff for project ${project} yet.` : e.message));
    }
  }

  // ---------------------------------------------------------------- views and forms
  function fillForms() {
    const f = $('filters');
    f.component.value = state.component.join(', ');
    f.type.value = state.type.join(', ');
    f.source.value = state.source.join(', ');
    f.severity.value = state.severity;
    f.q.value = state.q;
    f.group.value = state.group;
    f.span.value = state.start === undefined ? (state.span || '24h') : '';
    const c = $('correlate');
    c.symptom.value = state.symptom;
    c.at.value = state.at !== undefined ? iso(state.at) : '';
    c.timeframe.value = ['6h', '24h', '7d', '30d'].includes(state.timeframe) ? state.timeframe : '24h';
  }

  function show() {
    document.body.dataset.ready = '';
    for (const v of VIEWS) $('view-' + v).hidden = v !== state.view;
    for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.view === state.view);
    fillForms();
    if (state.view === 'timeline') {
      if (state.event) selectEvent(state.event, false);
      if (state.symptom && state.symptom !== answeredFor) { correlate(false, state.start === undefined); return; }
      if (!state.symptom) { answer = null; answeredFor = ''; $('answer').hidden = true; }
      loadTimeline();
    } else if (state.view === 'infra') loadInfra();
    else loadSessions();
  }

  function installForms() {
    $('filters').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = ev.target;
      const problems = [];
      const list = (name, re, what) => {
        const r = listOf(re, what)(f[name].value);
        if (r.error) { problems.push(`${name}: ${r.error}`); return state[name]; }
        return r.value;
      };
      state.component = list('component', COMPONENT, 'a component name');
      state.type = list('type', TOKEN, 'an event type');
      state.source = list('source', TOKEN, 'a source');
      state.severity = f.severity.value;
      state.q = f.q.value.trim();
      state.group = f.group.value === 'prefix' ? 'prefix' : 'component';
      if (f.span.value) { state.start = state.end = undefined; state.span = f.span.value; }
      banner(problems.length ? 'Not applied: ' + problems.join('; ') : '');
      saveURL(true);
      loadTimeline();
    });
    $('filters').span.addEventListener('change', (ev) => { if (ev.target.value) ev.target.form.requestSubmit(); });
    $('filters').group.addEventListener('change', (ev) => ev.target.form.requestSubmit());
    $('correlate').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = ev.target;
      const at = f.at.value.trim();
      if (at) {
        const r = parseTime(at);
        if (r.error) { banner('at: ' + r.error); return; }
        state.at = r.value;
      } else state.at = undefined;
      banner('');
      state.symptom = f.symptom.value.trim();
      state.timeframe = f.timeframe.value;
      if (state.symptom) correlate(true);
    });
    $('correlate-clear').addEventListener('click', () => {
      state.symptom = ''; state.at = undefined; answer = null; answeredFor = '';
      $('answer').hidden = true;
      $('correlate').symptom.value = '';
      saveURL(true);
      draw();
    });
    $('diff-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = ev.target.since.value.trim() || '24h';
      const r = PARAMS.since(v);
      if (r.error) { banner('since: ' + r.error); return; }
      banner('');
      state.since = v;
      saveURL(true);
      loadInfra();
    });
    $('session-search').addEventListener('submit', (ev) => {
      ev.preventDefault();
      state.project = ev.target.project.value.trim();
      state.search = ev.target.search.value.trim();
      saveURL(true);
      loadSessions();
    });
    $('tabs').addEventListener('click', (ev) => {
      const a = ev.target.closest('a');
      if (!a) return;
      ev.preventDefault();
      state.view = a.dataset.view;
      state.event = '';
      saveURL(true);
      show();
    });
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      sessionStorage.setItem('cmem-token', $('token').value.trim());
      $('token').value = '';
      $('token-form').hidden = true;
      banner('');
      show();
    });
    window.addEventListener('popstate', () => { applyQuery(location.search); answeredFor = state.symptom && answer && answer.symptom === state.symptom ? state.symptom : ''; show(); });
  }

  function start() {
    drawLegend();
    installPanZoom();
    installForms();
    applyQuery(location.search);
    pendingBanner = $('banner').hidden ? '' : $('banner').textContent;
    show();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
"""#
}
