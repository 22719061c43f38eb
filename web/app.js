// planbot's web view (docs/web.md): one script for every page, plain ES2020, no build step.
//
// Each page is a static shell; <body data-page="..."> says which one, and the path holds the ids.
// Everything shown comes from the JSON API, called with the browser's session cookie; all of it
// is inserted as text (createElement / textContent), never as HTML. The Content-Security-Policy
// forbids inline scripts, inline styles and eval, so PEV2 (a Vue component) is mounted with a
// render function on Vue's runtime-only build.
"use strict";

(function () {
  const PAGE = document.body.dataset.page;
  const HISTORY_PAGE_SIZE = 50;
  const OTHER_RUNS_LIMIT = 20;
  const COMPARE_NODE_ROWS = 300;  // the per-node compare table stops here
  let session = null;             // GET /api/v1/session

  // ---- DOM helpers -------------------------------------------------------------------------

  const $ = (selector, root = document) => root.querySelector(selector);

  // el("a", {href: "/", class: "x", text: "hi"}, child, ...): attributes are set as attributes
  // (strings), `text` as textContent, `on*` as listeners; children are nodes or strings (as text).
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") {
        node.addEventListener(key.slice(2), value);
      } else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function show(node, visible = true) {
    if (node) node.hidden = !visible;
  }

  // ---- Formatting (the same rules as analyzer/human_format.cc) ------------------------------

  function threeSignificant(v) {
    if (v >= 99.95) return v.toFixed(0);
    if (v >= 9.995) return v.toFixed(1);
    return v.toFixed(2);
  }

  function fmtMillis(ms) {
    if (ms === null || ms === undefined || Number.isNaN(Number(ms))) return "—";
    ms = Number(ms);
    if (!(ms > 0)) return "0 ms";
    if (ms < 0.9995) return ms.toFixed(3) + " ms";
    if (ms < 999.5) return threeSignificant(ms) + " ms";
    const s = ms / 1000;
    if (s < 59.95) return threeSignificant(s) + " s";
    const min = s / 60;
    if (min < 59.95) return min.toFixed(1) + " min";
    return (min / 60).toFixed(1) + " h";
  }

  function fmtCount(n) {
    if (n === null || n === undefined || Number.isNaN(Number(n))) return "—";
    const rounded = Math.round(Number(n));
    const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (rounded < 0 ? "-" : "") + digits;
  }

  function fmtBytes(bytes) {
    const units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    bytes = Number(bytes);
    if (!(bytes >= 0)) bytes = 0;
    if (bytes < 1023.5) return bytes.toFixed(0) + " B";
    let v = bytes / 1024;
    let unit = 0;
    while (v >= 1023.5 && unit < units.length - 1) {
      v /= 1024;
      unit++;
    }
    return threeSignificant(v) + " " + units[unit];
  }

  // Planner cost as tips print it: 108,205 / 61.2 / 3.45.
  function fmtCost(cost) {
    if (cost === null || cost === undefined) return "—";
    cost = Number(cost);
    if (cost >= 100) return fmtCount(cost);
    return cost.toFixed(cost >= 10 ? 1 : 2);
  }

  function fmtFactor(f) {
    return f >= 9.95 ? fmtCount(f) + "×" : f.toFixed(1) + "×";
  }

  function fmtSigned(value, format) {
    if (value === null || value === undefined) return "";
    if (value === 0) return "±0";
    return (value > 0 ? "+" : "−") + format(Math.abs(value));
  }

  // "2026-11-23T10:00:00.123Z" -> "2026-11-23 11:00:00" in the browser's time zone.
  function fmtTime(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
        `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }

  function timeEl(iso) {
    return el("time", {datetime: iso || null, title: iso || null, text: fmtTime(iso)});
  }

  // SQL on one line (whitespace runs become one space).
  function oneLine(sql) {
    return String(sql || "").replace(/\s+/g, " ").trim();
  }

  function truncate(text, max) {
    text = String(text || "");
    return text.length <= max ? text : text.slice(0, max - 1) + "…";
  }

  // ---- API ---------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // Calls the JSON API with the session cookie. POSTs carry the session's CSRF token. Errors
  // ({"error": {"code", "message"}}) become ApiError; a 401 sends the browser to /login.
  async function api(path, {method = "GET", body} = {}) {
    const headers = {Accept: "application/json"};
    const init = {method, headers, credentials: "same-origin", cache: "no-store"};
    if (method !== "GET" && session && session.csrf) headers["X-CSRF-Token"] = session.csrf;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, "network", "Could not reach planbot: " + err.message);
    }
    if (response.status === 401) {
      window.location.assign("/login");
      throw new ApiError(401, "unauthorized", "Your session has ended; sign in again.");
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = data && data.error ? data.error : {};
      throw new ApiError(response.status, error.code || "http_" + response.status,
                         error.message || `planbot answered HTTP ${response.status}.`);
    }
    if (data === null) throw new ApiError(response.status, "bad_answer", "planbot's answer is not JSON.");
    return data;
  }

  function showError(err) {
    if (err instanceof ApiError && err.status === 401) return;  // on the way to /login
    const box = $("#alerts");
    const message = err && err.message ? err.message : String(err);
    const alert = el("div", {class: "alert alert-danger alert-dismissible planbot-error", role: "alert"},
                     el("span", {class: "planbot-error-message", text: message}));
    if (err instanceof ApiError && err.code) {
      alert.append(" ", el("code", {class: "small planbot-error-code", text: err.code}));
    }
    alert.append(el("button", {type: "button", class: "btn-close", "aria-label": "Close",
                               onclick: () => alert.remove()}));
    (box || document.body).append(alert);
    if (!(err instanceof ApiError)) console.error(err);
  }

  function clearErrors() {
    const box = $("#alerts");
    if (box) clear(box);
  }

  // ---- Navigation bar ----------------------------------------------------------------------

  // The navigation bar of every page but the login page, built here rather than repeated in
  // each shell: the brand, History and Analyze (the current one marked), the user (filled in by
  // initNav) and the logout form (shown for a cookie session).
  function buildNav() {
    const nav = $("#nav");
    if (!nav || nav.childElementCount) return;
    const link = (href, id, text, active) =>
      el("li", {class: "nav-item"},
         el("a", {class: active ? "nav-link active" : "nav-link", href, id, text}));
    const csrf = el("input", {type: "hidden", name: "csrf", id: "logout-csrf", value: ""});
    const logout = el("form", {method: "post", action: "/logout", id: "logout-form", class: "ms-3"},
                      csrf, el("button", {type: "submit", class: "btn btn-outline-light btn-sm", id: "logout",
                                          text: "Logout"}));
    logout.hidden = true;
    nav.append(el("div", {class: "container-fluid"},
                  el("a", {class: "navbar-brand fw-semibold", href: "/", text: "planbot"}),
                  el("ul", {class: "navbar-nav me-auto"},
                     link("/", "nav-history", "History", PAGE === "history"),
                     link("/analyze", "nav-analyze", "Analyze", PAGE === "analyze")),
                  el("span", {class: "navbar-text small", id: "nav-user"}),
                  logout));
  }

  function initNav() {
    const user = $("#nav-user");
    if (user) {
      clear(user);
      user.append(el("span", {class: "planbot-user", id: "nav-user-name", text: session.user || "?"}),
                  " ",
                  el("span", {class: "badge text-bg-secondary planbot-role", id: "nav-role",
                              text: session.role || ""}));
    }
    const form = $("#logout-form");
    if (form && session.auth === "cookie") {
      $("#logout-csrf").value = session.csrf || "";
      show(form);
    }
  }

  // ---- Badges ------------------------------------------------------------------------------

  const SEVERITY_CLASS = {high: "text-bg-danger", medium: "text-bg-warning", low: "text-bg-info"};

  function severityBadge(severity) {
    return el("span", {class: `badge ${SEVERITY_CLASS[severity] || "text-bg-secondary"} planbot-severity`,
                       text: severity || "?"});
  }

  function outcomeBadge(entry) {
    const ok = entry.outcome === "ok";
    const title = entry.error ? `${entry.error.code}: ${entry.error.message}` : null;
    return el("span", {class: `badge ${ok ? "text-bg-success" : "text-bg-danger"} planbot-outcome`,
                       title, text: entry.outcome || "?"});
  }

  // ---- History (/) -------------------------------------------------------------------------

  const HISTORY_FILTERS = ["database", "session", "fingerprint", "command", "user", "after", "before"];

  async function historyPage() {
    const admin = session.role === "admin";
    const form = $("#filters");
    const params = new URLSearchParams(window.location.search);
    if (admin) {
      show($("#f-user-col"));
      $("#f-user").disabled = false;
      for (const th of document.querySelectorAll(".planbot-col-user")) show(th);
    }
    // The filters live in the page's query string: fill the form from it.
    const filters = new URLSearchParams();
    for (const name of HISTORY_FILTERS) {
      const value = (params.get(name) || "").trim();
      if (!value || (name === "user" && !admin)) continue;
      filters.set(name, value);
      const input = form.elements[name];
      if (!input) continue;
      if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === value)) {
        input.append(el("option", {value, text: value}));
      }
      input.value = value;
    }
    // Submit only the filled fields, so the URL stays short.
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const query = new URLSearchParams();
      for (const name of HISTORY_FILTERS) {
        const input = form.elements[name];
        if (input && !input.disabled && input.value.trim()) query.set(name, input.value.trim());
      }
      const qs = query.toString();
      window.location.assign(qs ? "/?" + qs : "/");
    });

    const rows = $("#history-rows");
    const loadMore = $("#load-more");
    const compareButton = $("#compare-selected");
    const hint = $("#compare-hint");
    const selected = new Set();
    let nextBeforeId = null;
    let shown = 0;

    function updateCompare() {
      compareButton.disabled = selected.size !== 2;
      hint.textContent = selected.size === 2 ? "Compare the older (before) with the newer (after)."
          : selected.size > 2 ? "Tick exactly two entries." : "Tick two entries to compare them.";
    }
    compareButton.addEventListener("click", () => {
      if (selected.size !== 2) return;
      const [older, newer] = [...selected].sort((a, b) => a - b);
      window.location.assign(`/compare/${older}/${newer}`);
    });

    function filterLink(name, value) {
      if (!value) return "—";
      const query = new URLSearchParams(filters);
      query.set(name, value);
      return el("a", {href: "/?" + query.toString(), class: "link-secondary", title: `Only ${name} ${value}`,
                      text: value});
    }

    function row(entry) {
      const id = Number(entry.id);
      const box = el("input", {type: "checkbox", class: "form-check-input history-select", value: id,
                               "aria-label": `Select #${id}`});
      box.checked = selected.has(id);
      box.addEventListener("change", () => {
        if (box.checked) selected.add(id);
        else selected.delete(id);
        updateCompare();
      });
      const sql = oneLine(entry.normalized || entry.query);
      return el("tr", {class: "history-row", id: `entry-${id}`, dataset: {id: String(id)}},
        el("td", {class: "planbot-col-select"}, box),
        el("td", {}, el("a", {href: `/plans/${id}`, class: "history-id", text: `#${id}`})),
        el("td", {class: "text-nowrap"}, timeEl(entry.created_at)),
        admin ? el("td", {class: "planbot-col-user"}, filterLink("user", entry.user)) : null,
        el("td", {}, filterLink("database", entry.database)),
        el("td", {class: "planbot-session"}, filterLink("session", entry.session)),
        el("td", {text: entry.command}),
        el("td", {}, outcomeBadge(entry)),
        el("td", {class: "text-end text-nowrap planbot-num",
                  text: entry.execution_ms === null || entry.execution_ms === undefined
                      ? "—" : fmtMillis(entry.execution_ms)}),
        el("td", {class: "planbot-sql-cell"},
           el("a", {href: `/plans/${id}`, class: "planbot-oneline text-reset text-decoration-none font-monospace",
                    title: truncate(sql, 2000), text: truncate(sql, 400) || "—"})));
    }

    async function load(beforeId) {
      const query = new URLSearchParams(filters);
      query.set("limit", String(HISTORY_PAGE_SIZE));
      if (beforeId !== null && beforeId !== undefined) query.set("before_id", String(beforeId));
      loadMore.disabled = true;
      try {
        const data = await api("/api/v1/history?" + query.toString());
        const fragment = document.createDocumentFragment();
        for (const entry of data.entries || []) fragment.append(row(entry));
        rows.append(fragment);
        shown += (data.entries || []).length;
        nextBeforeId = data.next_before_id === undefined ? null : data.next_before_id;
        show(loadMore, nextBeforeId !== null);
        show($("#history-empty"), shown === 0);
      } finally {
        loadMore.disabled = false;
        show($("#history-loading"), false);
      }
    }
    loadMore.addEventListener("click", () => load(nextBeforeId).catch(showError));
    updateCompare();
    await load(null);
  }

  // ---- The analysis: summary, tips, SQL, PEV2 and the text plan -----------------------------
  // Shared by /plans/{id} (a history entry) and /analyze (POST /api/v1/analyze).

  let mounted = null;  // {app, observer} of the PEV2 instance on the page

  function summaryRows(summary) {
    const rows = [];
    if (!summary) return rows;
    const ms = (t) => (t && (t.human || fmtMillis(t.ms))) || null;
    if (summary.execution_time) rows.push(["Execution time", ms(summary.execution_time), "summary-execution"]);
    if (summary.planning_time) rows.push(["Planning time", ms(summary.planning_time), "summary-planning"]);
    if (summary.rows) {
      let text = summary.rows.human || fmtCount(summary.rows.actual);
      if (summary.rows.loops && summary.rows.loops !== 1) text += ` (${fmtCount(summary.rows.loops)} loops)`;
      rows.push(["Rows", text, "summary-rows"]);
    }
    if (summary.estimated) {
      const parts = [];
      if (summary.estimated.total_cost !== undefined) parts.push("cost " + fmtCost(summary.estimated.total_cost));
      if (summary.estimated.rows !== undefined) parts.push("rows " + fmtCount(summary.estimated.rows));
      if (parts.length) rows.push(["Estimated", parts.join(", "), "summary-estimated"]);
    }
    if (summary.buffers) rows.push(["Buffers", buffersText(summary.buffers), "summary-buffers"]);
    if (summary.planning_buffers) {
      rows.push(["Planning buffers", buffersText(summary.planning_buffers), "summary-planning-buffers"]);
    }
    if (summary.io_time) rows.push(["I/O time", ioText(summary.io_time), "summary-io"]);
    if (summary.planning_io_time) rows.push(["Planning I/O", ioText(summary.planning_io_time), "summary-planning-io"]);
    const wal = summary.wal;
    if (wal && (wal.records || wal.fpi || wal.bytes)) {
      rows.push(["WAL", `${fmtCount(wal.records)} records, ${fmtCount(wal.fpi)} full-page images, ` +
                        (wal.bytes_human || fmtBytes(wal.bytes)), "summary-wal"]);
    }
    if (summary.jit) {
      let text = `${fmtCount(summary.jit.functions)} functions`;
      if (summary.jit.time) text += ", " + ms(summary.jit.time);
      rows.push(["JIT", text, "summary-jit"]);
    }
    if (summary.triggers && summary.triggers.count) {
      let text = `${summary.triggers.count}, ${fmtCount(summary.triggers.calls)} calls`;
      if (summary.triggers.time) text += ", " + ms(summary.triggers.time);
      rows.push(["Triggers", text, "summary-triggers"]);
    }
    if (summary.serialization) {
      const parts = [];
      if (summary.serialization.time) parts.push(ms(summary.serialization.time));
      if (summary.serialization.bytes !== undefined) {
        parts.push(summary.serialization.bytes_human || fmtBytes(summary.serialization.bytes));
      }
      rows.push(["Serialization", parts.join(", "), "summary-serialization"]);
    }
    return rows;
  }

  // "shared hit 2,048 (16.0 MiB), read 158 (1.23 MiB); temp written 12 (96.0 KiB)": zero
  // counters left out, as in chat answers.
  function buffersText(buffers) {
    const classes = [
      ["shared", ["hit", "read", "dirtied", "written"]],
      ["local", ["hit", "read", "dirtied", "written"]],
      ["temp", ["read", "written"]],
    ];
    const out = [];
    for (const [name, counters] of classes) {
      const group = buffers[name] || {};
      const items = [];
      for (const counter of counters) {
        const c = group[counter];
        if (!c || !c.blocks) continue;
        items.push(`${counter} ${fmtCount(c.blocks)} (${c.human || fmtBytes(c.bytes)})`);
      }
      if (items.length) out.push(`${name} ${items.join(", ")}`);
    }
    return out.length ? out.join("; ") : "none";
  }

  function ioText(io) {
    return Object.entries(io).map(([key, t]) => `${key.replace(/_/g, " ")} ${t.human || fmtMillis(t.ms)}`)
        .join(", ");
  }

  // "verified on your clone: estimated cost 108,205 → 61,201 (1.8× cheaper); <plan change>"
  function verificationText(v) {
    let line = `verified on your clone: estimated cost ${fmtCost(v.cost_before)} → ${fmtCost(v.cost_after)}`;
    if (v.cost_after > 0 && v.cost_before > v.cost_after) line += ` (${fmtFactor(v.cost_before / v.cost_after)} cheaper)`;
    else if (v.cost_after >= v.cost_before) line += " (no cheaper)";
    if (v.plan_change) line += "; " + v.plan_change;
    if (v.method === "hypothetical_index" && v.used === false) line += "; the planner would not use the index";
    return line;
  }

  // Nodes in the EXPLAIN JSON, counted the way PEV2 and planbot number them (preorder).
  function countNodes(planJson) {
    let count = 0;
    const stack = [];
    for (const query of Array.isArray(planJson) ? planJson : [planJson]) {
      if (query && query.Plan) stack.push(query.Plan);
    }
    while (stack.length) {
      const node = stack.pop();
      count++;
      for (const child of node.Plans || []) stack.push(child);
    }
    return count;
  }

  function renderSummary(summary) {
    const body = $("#summary tbody");
    clear(body);
    const rows = summaryRows(summary);
    if (!rows.length) {
      body.append(el("tr", {}, el("td", {class: "text-body-secondary", text: "No summary."})));
      return;
    }
    for (const [label, value, id] of rows) {
      body.append(el("tr", {id}, el("th", {scope: "row", class: "text-nowrap", text: label}),
                     el("td", {text: value})));
    }
  }

  // The tips list; each tip about a node links to #plan/node/N, which PEV2 selects.
  function renderTips(tips) {
    const list = clear($("#tips"));
    $("#tips-count").textContent = tips.length ? String(tips.length) : "";
    show($("#tips-none"), tips.length === 0);
    tips.forEach((tip, k) => {
      const head = el("div", {class: "d-flex flex-wrap align-items-baseline gap-2"},
                      severityBadge(tip.severity),
                      el("code", {class: "planbot-tip-code", text: tip.code}));
      if (tip.node !== null && tip.node !== undefined) {
        const n = Number(tip.node) + 1;
        head.append(el("a", {href: `#plan/node/${n}`, class: "planbot-tip-node", dataset: {node: String(n)},
                             title: `Show node #${n} in the plan`, onclick: revealTree},
                        `#${n} ${tip.node_label || ""}`.trim()));
      } else {
        head.append(el("span", {class: "text-body-secondary small", text: "whole statement"}));
      }
      if (tip.estimate_based) head.append(el("span", {class: "badge text-bg-light border", text: "estimated"}));
      if (tip.saving_ms > 0) {
        head.append(el("span", {class: "small text-body-secondary", text: `could save ~${fmtMillis(tip.saving_ms)}`}));
      }
      const item = el("li", {class: "planbot-tip-item", id: `tip-${k}`,
                             dataset: {code: tip.code || "", node: tip.node === null || tip.node === undefined
                                 ? "" : String(Number(tip.node) + 1)}},
                      head, el("p", {class: "mb-1 planbot-tip-message", text: tip.message}));
      const fix = tip.fix;
      if (fix && Array.isArray(fix.statements) && fix.statements.length) {
        item.append(el("div", {class: "small text-body-secondary", text: `Fix (${fix.kind || "statements"}):`}),
                    el("pre", {class: "planbot-fix mb-1", text: fix.statements.join("\n")}));
        if (fix.verified) {
          item.append(el("p", {class: "small mb-0 planbot-verified", text: verificationText(fix.verified)}));
        }
      }
      list.append(item);
    });
  }

  // When a tip's node link is followed, show the tree if the text-only view hides it.
  function revealTree() {
    const deferred = $("#draw-tree");  // a large plan's tree is drawn on demand
    if (deferred) deferred.click();
    const view = $("#plan-view");
    if (view && view.classList.contains("view-text")) setPlanView("tree");
    const target = $("#plan-view");
    if (target) target.scrollIntoView({block: "nearest"});
  }

  const PLAN_VIEWS = ["tree", "split", "text"];

  function setPlanView(name, remember = true) {
    if (!PLAN_VIEWS.includes(name)) name = "tree";
    const view = $("#plan-view");
    for (const v of PLAN_VIEWS) view.classList.toggle("view-" + v, v === name);
    for (const button of document.querySelectorAll("#plan-tabs [data-view]")) {
      const on = button.dataset.view === name;
      button.classList.toggle("active", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    if (!remember) return;
    try {
      window.localStorage.setItem("planbot.planView", name);
    } catch { /* storage may be off */ }
  }

  function initPlanTabs() {
    const tabs = $("#plan-tabs");
    if (!tabs || tabs.dataset.ready) return;
    tabs.dataset.ready = "1";
    tabs.addEventListener("click", (event) => {
      const button = event.target.closest("[data-view]");
      if (button) setPlanView(button.dataset.view);
    });
    let saved = null;
    try {
      saved = window.localStorage.getItem("planbot.planView");
    } catch { /* storage may be off */ }
    setPlanView(saved || "tree");
  }

  // The "#N" link in a PEV2 node's header (N: PEV2's 1-based preorder number).
  function pev2NodeNumber(body) {
    for (const link of body.querySelectorAll("header a")) {
      const m = /^#(\d+)$/.exec(link.textContent.trim());
      if (m) return {n: Number(m[1]), link};
    }
    return null;
  }

  function isOurs(node) {
    return node.nodeType === Node.ELEMENT_NODE &&
        (node.classList.contains("planbot-tip") || node.classList.contains("planbot-tip-row"));
  }

  // Puts a badge per tip on its node in the PEV2 tree (class planbot-tip, data-node=N), inside the
  // node's .plan-node-body, after the first render and whenever PEV2 renders again. The badges sit
  // in a row laid over the card's top edge (planbot.css), so the node keeps the size PEV2 measured
  // for its layout. A pass is idempotent: when every node already has its badges it changes
  // nothing, so the observer's reaction to the badges it added ends there.
  function attachTipBadges(container, tips) {
    const byNode = new Map();
    tips.forEach((tip, k) => {
      if (tip.node === null || tip.node === undefined) return;
      const n = Number(tip.node) + 1;
      if (!byNode.has(n)) byNode.set(n, []);
      byNode.get(n).push({tip, k});
    });
    if (!byNode.size) return null;

    function badge(tip, k, n) {
      return el("button", {type: "button",
                           class: `planbot-tip badge ${SEVERITY_CLASS[tip.severity] || "text-bg-secondary"}`,
                           dataset: {node: String(n), code: tip.code || "", tip: String(k)},
                           title: tip.message || "",
                           onmousedown: (event) => event.stopPropagation(),
                           onclick: (event) => {
                             event.preventDefault();
                             event.stopPropagation();
                             const item = document.getElementById(`tip-${k}`);
                             if (item) {
                               item.scrollIntoView({block: "center"});
                               item.classList.add("planbot-flash");
                               window.setTimeout(() => item.classList.remove("planbot-flash"), 1500);
                             }
                           }},
                `${tip.severity} ${tip.code}`);
    }

    function apply() {
      for (const body of container.querySelectorAll(".plan-node-body")) {
        const found = pev2NodeNumber(body);
        if (!found) continue;
        const want = byNode.get(found.n) || [];
        let row = body.querySelector(":scope > .planbot-tip-row");
        const have = row ? [...row.children].map((b) => `${b.dataset.node}:${b.dataset.tip}`).join(",") : "";
        if (have === want.map(({k}) => `${found.n}:${k}`).join(",")) continue;
        if (row) row.remove();
        if (!want.length) continue;
        row = el("span", {class: "planbot-tip-row", dataset: {node: String(found.n)}},
                 want.map(({tip, k}) => badge(tip, k, found.n)));
        body.append(row);
      }
    }

    let pending = false;
    const observer = new MutationObserver((records) => {
      const ours = records.every((r) => r.type === "childList" &&
          [...r.addedNodes, ...r.removedNodes].every(isOurs));
      if (ours || pending) return;
      pending = true;
      window.requestAnimationFrame(() => {
        pending = false;
        apply();
      });
    });
    observer.observe(container, {childList: true, subtree: true, characterData: true});
    apply();
    return observer;
  }

  // Mounts PEV2 on `container` (replacing the one already on the page). The mount waits for the
  // next frame, so the summary, tips and text are on screen while a large tree is being drawn.
  let mountGeneration = 0;

  // PEV2 draws about 6 ms a node on a modest machine and blocks the page meanwhile: a larger
  // plan opens with its summary, tips and text, and the tree is drawn when the user asks.
  const AUTO_TREE_NODES = 150;

  function mountPev2(container, planJson, query, tips, nodeCount, force) {
    const generation = ++mountGeneration;
    if (mounted) {
      if (mounted.observer) mounted.observer.disconnect();
      mounted.app.unmount();
      mounted = null;
    }
    clear(container);
    delete container.dataset.mounted;
    if (!force && nodeCount > AUTO_TREE_NODES) {
      const seconds = Math.max(1, Math.round(nodeCount * 0.006));
      const button = el("button", {type: "button", class: "btn btn-primary btn-sm", id: "draw-tree",
                                   text: `Draw the tree (${fmtCount(nodeCount)} nodes)`});
      button.addEventListener("click", () => mountPev2(container, planJson, query, tips, nodeCount, true));
      container.append(el("div", {class: "m-3", id: "tree-deferred"},
                          el("p", {text: `This plan has ${fmtCount(nodeCount)} nodes. Drawing its tree keeps ` +
                                         `the browser busy for several seconds (about ${seconds} s here), so ` +
                                         "it is drawn when you ask; the text beside it is complete."}),
                          button));
      return;
    }
    if (!window.Vue || !window.pev2 || !window.pev2.Plan) {
      container.append(el("p", {class: "text-danger m-3", id: "pev2-missing",
                                text: "The plan viewer (PEV2) did not load; the plan's text is under \"Text\"."}));
      return;
    }
    container.append(el("p", {class: "text-body-secondary m-3 planbot-pev2-loading",
                              text: `Drawing the plan tree (${fmtCount(nodeCount)} node${nodeCount === 1 ? "" : "s"})…`}));
    // Indented, one key per line: PEV2 first runs its text clean-up regular expressions over the
    // source line by line, and on a single multi-megabyte line one of them takes quadratic time
    // (minutes for a 1,600-node plan); on short lines they are instant.
    const planSource = JSON.stringify(planJson, null, 1);
    const planQuery = query || "";
    window.requestAnimationFrame(() => window.setTimeout(() => {
      if (generation !== mountGeneration) return;  // another plan replaced this one meanwhile
      clear(container);
      const app = window.Vue.createApp({
        render: () => window.Vue.h(window.pev2.Plan, {planSource, planQuery}),
      });
      app.config.errorHandler = (err) => showError(new Error("The plan viewer failed: " + (err && err.message)));
      app.mount(container);
      mounted = {app, observer: attachTipBadges(container, tips)};
      container.dataset.mounted = "1";
    }, 0));
  }

  // data: {plan: {text, json}, summary, tips, query, nodeCount}
  function renderAnalysis(data) {
    const tips = Array.isArray(data.tips) ? data.tips : [];
    renderSummary(data.summary);
    renderTips(tips);
    const sql = data.query || "";
    $("#sql").textContent = sql;
    show($("#sql-card"), Boolean(sql));
    const nodes = data.nodeCount || countNodes(data.plan.json);
    $("#node-count").textContent = `${fmtCount(nodes)} node${nodes === 1 ? "" : "s"}`;
    $("#plan-text").textContent = data.plan.text || "(PostgreSQL's text form is not available)";
    show($("#analysis"));
    initPlanTabs();
    // A large plan's tree waits for a click (mountPev2): show its text beside the button.
    if (nodes > AUTO_TREE_NODES && $("#plan-view").classList.contains("view-tree")) setPlanView("split", false);
    mountPev2($("#pev2"), data.plan.json, sql, tips, nodes);
  }

  // ---- One entry (/plans/{id}) -------------------------------------------------------------

  function meta(list, label, value, id) {
    if (value === null || value === undefined || value === "") return;
    list.append(el("div", {class: "planbot-meta-item"}, el("dt", {text: label}),
                   el("dd", {id}, value instanceof Node ? value : String(value))));
  }

  async function planPage() {
    const m = /^\/plans\/(\d+)\/?$/.exec(window.location.pathname);
    const id = m ? m[1] : "";
    let entry;
    try {
      if (!m) throw new ApiError(404, "not_found", "");
      entry = await api(`/api/v1/history/${id}`);
    } catch (err) {
      show($("#entry-loading"), false);
      if (err.status === 404) {
        const box = $("#not-found");
        box.textContent = `No entry #${id || "?"} (or it is not yours).`;
        show(box);
        document.title = "Not found · planbot";
        return;
      }
      throw err;
    }
    show($("#entry-loading"), false);
    document.title = `#${entry.id} ${entry.command} · planbot`;
    const title = clear($("#entry-title"));
    title.append(`#${entry.id} `, el("span", {class: "planbot-command", text: entry.command}), " ",
                 outcomeBadge(entry));
    const list = clear($("#entry-meta"));
    meta(list, "Time", timeEl(entry.created_at), "entry-time");
    meta(list, "Database", entry.database, "entry-database");
    meta(list, "Session", entry.session, "entry-session");
    meta(list, "User", entry.user, "entry-user");
    meta(list, "Outcome", entry.outcome, "entry-outcome");
    if (entry.duration_ms !== undefined) meta(list, "planbot took", fmtMillis(entry.duration_ms), "entry-duration");
    if (entry.fingerprint) {
      meta(list, "Fingerprint", el("a", {href: "/?fingerprint=" + encodeURIComponent(entry.fingerprint),
                                         class: "font-monospace", text: entry.fingerprint}), "entry-fingerprint");
    }
    show($("#entry-header"));
    if (entry.error) {
      const box = $("#entry-error");
      box.textContent = entry.error.message || "";
      box.append(" ", el("code", {class: "small", text: entry.error.sqlstate
          ? `${entry.error.code} (SQLSTATE ${entry.error.sqlstate})` : entry.error.code}));
      show(box);
    }
    if (entry.plan && entry.plan.json) {
      renderAnalysis({plan: entry.plan, summary: entry.summary, tips: entry.tips,
                      query: entry.normalized || entry.query});
    } else {
      show($("#no-plan"));
    }
    await otherRuns(entry).catch(showError);
  }

  async function otherRuns(entry) {
    if (!entry.fingerprint) return;
    const query = new URLSearchParams({fingerprint: entry.fingerprint, limit: String(OTHER_RUNS_LIMIT)});
    const data = await api("/api/v1/history?" + query.toString());
    const others = (data.entries || []).filter((e) => String(e.id) !== String(entry.id));
    const list = clear($("#other-runs"));
    for (const e of others) {
      const item = el("li", {class: "planbot-other-run d-flex flex-wrap gap-2 align-items-baseline",
                             dataset: {id: String(e.id)}},
        el("a", {href: `/plans/${e.id}`, class: "planbot-other-link", text: `#${e.id}`}),
        timeEl(e.created_at),
        el("span", {text: e.command}),
        outcomeBadge(e),
        el("span", {class: "planbot-num", text: e.execution_ms === null || e.execution_ms === undefined
            ? "—" : fmtMillis(e.execution_ms)}),
        e.database ? el("span", {class: "text-body-secondary small", text: e.database}) : null);
      if (e.outcome === "ok" && entry.plan && entry.plan.json) {
        item.append(el("a", {href: `/compare/${e.id}/${entry.id}`, class: "small planbot-compare-link",
                             text: `compare #${e.id} → #${entry.id}`}));
      }
      list.append(item);
    }
    show($("#other-runs-none"), others.length === 0);
    show($("#other-runs-card"));
  }

  // ---- Compare (/compare/{a}/{b}) ----------------------------------------------------------

  // Metrics where less is better (the others, rows and node count, are only different).
  const LOWER_IS_BETTER = new Set(["execution_ms", "planning_ms", "total_cost", "shared_hit_blocks",
                                   "shared_read_blocks", "temp_blocks"]);

  function fmtRatio(r) {
    if (r === null || r === undefined || !Number.isFinite(r)) return "—";
    if (r >= 100) return fmtCount(r) + "×";
    if (r >= 0.01) return Number(r.toPrecision(3)) + "×";
    return Number(r.toPrecision(2)) + "×";
  }

  function identity(card, side, e, label) {
    const body = clear($(".card-body", card));
    $(".card-header", card).textContent = label;
    body.append(
      el("h2", {class: "h6"}, el("a", {href: `/plans/${e.id}`, id: `side-${side}-link`, text: `#${e.id}`}), " ",
         el("span", {text: e.command}), " ",
         e.analyzed ? el("span", {class: "badge text-bg-light border", text: "ANALYZE"})
             : el("span", {class: "badge text-bg-light border", text: "plan only"})),
      el("dl", {class: "planbot-meta small mb-2"},
         el("div", {class: "planbot-meta-item"}, el("dt", {text: "Time"}), el("dd", {}, timeEl(e.created_at))),
         el("div", {class: "planbot-meta-item"}, el("dt", {text: "Database"}), el("dd", {text: e.database || "—"})),
         el("div", {class: "planbot-meta-item"}, el("dt", {text: "Session"}), el("dd", {text: e.session || "—"}))),
      el("pre", {class: "planbot-sql planbot-sql-short mb-0", text: e.normalized || ""}));
  }

  async function comparePage() {
    const m = /^\/compare\/(\d+)\/(\d+)\/?$/.exec(window.location.pathname);
    if (!m) {
      show($("#compare-loading"), false);
      throw new ApiError(400, "bad_request", "The address should be /compare/BEFORE/AFTER with two entry ids.");
    }
    const [, a, b] = m;
    let data;
    try {
      data = await api(`/api/v1/compare?a=${a}&b=${b}`);
    } finally {
      show($("#compare-loading"), false);
    }
    document.title = `#${a} → #${b} · planbot`;
    const verdict = $("#verdict");
    verdict.textContent = (data.verdict && data.verdict.text) || "No verdict.";
    const better = data.verdict && data.verdict.better;
    verdict.classList.add(better === "b" ? "planbot-better" : better === "a" ? "planbot-worse" : "planbot-same");
    if (better) verdict.dataset.better = better;

    identity($("#side-a"), "a", data.a, "Before");
    identity($("#side-b"), "b", data.b, "After");
    if (data.a.fingerprint && data.b.fingerprint && data.a.fingerprint !== data.b.fingerprint) {
      $("#identities").after(el("p", {class: "alert alert-warning py-2", id: "different-queries",
                                      text: "These entries are different queries (their fingerprints differ)."}));
    }

    const totals = clear($("#totals tbody"));
    for (const t of data.totals || []) {
      let cls = "";
      if (LOWER_IS_BETTER.has(t.metric) && t.ratio !== null && t.ratio !== undefined && t.ratio !== 1) {
        cls = t.ratio < 1 ? "planbot-better" : "planbot-worse";
      }
      totals.append(el("tr", {dataset: {metric: t.metric}, class: cls || null},
        el("th", {scope: "row", text: t.label || t.metric}),
        el("td", {class: "text-end planbot-num", text: t.a_human || (t.a === null ? "—" : String(t.a))}),
        el("td", {class: "text-end planbot-num", text: t.b_human || (t.b === null ? "—" : String(t.b))}),
        el("td", {class: "text-end planbot-num planbot-ratio", text: fmtRatio(t.ratio)})));
    }

    const changes = clear($("#changes"));
    for (const c of data.changes || []) {
      changes.append(el("li", {class: "planbot-change", dataset: {kind: c.kind}},
                        el("span", {class: "badge text-bg-light border me-1", text: c.kind}), c.text));
    }
    show($("#changes-none"), !(data.changes || []).length);

    renderCompareNodes(data);
    show($("#comparison"));
  }

  function renderCompareNodes(data) {
    const byTime = data.measure === "time";
    const unit = byTime ? "Self time" : "Cost";
    const table = $("#compare-nodes");
    clear($("thead", table)).append(el("tr", {},
      el("th", {scope: "col", text: "Before"}), el("th", {scope: "col", class: "text-end", text: unit}),
      el("th", {scope: "col", class: "text-end", text: "Rows"}),
      el("th", {scope: "col", text: "After"}), el("th", {scope: "col", class: "text-end", text: unit}),
      el("th", {scope: "col", class: "text-end", text: "Rows"}),
      el("th", {scope: "col", class: "text-end", text: "Δ " + unit.toLowerCase()}),
      el("th", {scope: "col", class: "text-end", text: "Δ rows"})));
    const body = clear($("tbody", table));
    const nodes = data.nodes || [];
    const measure = (n) => !n ? "" : byTime
        ? (n.exclusive_ms === null || n.exclusive_ms === undefined ? fmtCost(n.total_cost) : fmtMillis(n.exclusive_ms))
        : fmtCost(n.total_cost);
    const label = (n, entryId) => !n ? el("span", {class: "text-body-secondary fst-italic", text: "—"})
        : el("a", {href: `/plans/${entryId}#plan/node/${Number(n.id) + 1}`, class: "text-reset",
                   title: `Node #${Number(n.id) + 1} in entry #${entryId}`, text: n.label || n.node_type || "?"});
    const fragment = document.createDocumentFragment();
    for (const row of nodes.slice(0, COMPARE_NODE_ROWS)) {
      const d = row.delta || {};
      let dMeasure = null;
      let dText = "";
      if (byTime && d.exclusive_ms !== undefined) {
        dMeasure = d.exclusive_ms;
        dText = fmtSigned(d.exclusive_ms, fmtMillis);
      } else if (d.total_cost !== undefined) {
        dMeasure = d.total_cost;
        dText = fmtSigned(d.total_cost, fmtCost);
      }
      const deltaClass = dMeasure === null || dMeasure === 0 ? "" : dMeasure < 0 ? "planbot-better" : "planbot-worse";
      fragment.append(el("tr", {class: `planbot-node-row match-${row.match || "none"}`,
                                dataset: {match: row.match || "none"}},
        el("td", {class: "planbot-node-label"}, label(row.a, data.a.id)),
        el("td", {class: "text-end planbot-num", text: measure(row.a)}),
        el("td", {class: "text-end planbot-num", text: row.a ? fmtCount(row.a.rows) : ""}),
        el("td", {class: "planbot-node-label"}, label(row.b, data.b.id)),
        el("td", {class: "text-end planbot-num", text: measure(row.b)}),
        el("td", {class: "text-end planbot-num", text: row.b ? fmtCount(row.b.rows) : ""}),
        el("td", {class: `text-end planbot-num ${deltaClass}`, text: dText}),
        el("td", {class: "text-end planbot-num", text: d.rows === undefined ? "" : fmtSigned(d.rows, fmtCount)})));
    }
    body.append(fragment);
    const note = $("#nodes-capped");
    if (nodes.length > COMPARE_NODE_ROWS) {
      note.textContent = `Showing the first ${COMPARE_NODE_ROWS} of ${fmtCount(nodes.length)} node pairs; ` +
          "open either plan to see every node.";
      show(note);
    }
  }

  // ---- Analyze (/analyze) ------------------------------------------------------------------

  async function analyzePage() {
    const form = $("#analyze-form");
    const button = $("#analyze-submit");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors();
      const plan = $("#analyze-plan").value.trim();
      const query = $("#analyze-query").value.trim();
      if (!plan) {
        showError(new Error("Paste the output of EXPLAIN (FORMAT JSON) first."));
        return;
      }
      button.disabled = true;
      const label = button.textContent;
      button.textContent = "Analyzing…";
      try {
        const body = {plan};
        if (query) body.query = query;
        const data = await api("/api/v1/analyze", {method: "POST", body});
        renderAnalysis({plan: data.plan, summary: data.summary, tips: data.tips,
                        query: data.query || query, nodeCount: data.node_count});
        $("#analysis").scrollIntoView({block: "start"});
      } catch (err) {
        showError(err);
      } finally {
        button.disabled = false;
        button.textContent = label;
      }
    });
  }

  // ---- Login (/login) ----------------------------------------------------------------------

  function loginPage() {
    const params = new URLSearchParams(window.location.search);
    if (params.get("error")) show($("#login-error"));
    const token = $("#token");
    if (token) token.focus();
  }

  // ---- Start -------------------------------------------------------------------------------

  const PAGES = {history: historyPage, plan: planPage, compare: comparePage, analyze: analyzePage};

  async function start() {
    if (PAGE === "login") {
      loginPage();
      return;
    }
    buildNav();
    // The paste form takes over its submit at once: a click before the session has loaded must
    // not submit the form natively (a GET that would reload the page and drop the paste).
    const early = PAGE === "analyze" ? analyzePage() : null;
    try {
      session = await api("/api/v1/session");
      initNav();
      const run = PAGES[PAGE];
      if (early) await early;
      else if (run) await run();
    } catch (err) {
      showError(err);
    }
    document.body.dataset.ready = "1";  // the page's data is on screen (tests wait for it)
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
