// Draws a rungs report from the study data embedded in #study-data (html_report.cpp writes
// it; its fields are listed in report_data_json). Everything is built with DOM calls and
// textContent, never innerHTML, so names and strings from the study are shown as text.
// When every plot is drawn, <body data-rendered="true"> tells tests the page is complete.
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("study-data").textContent);
  const study = data.study;
  const maximize = study.direction === "maximize";
  const STATUS_ORDER = ["completed", "stopped", "failed", "running", "paused"];
  const COLORS = { completed: "#1f77b4", stopped: "#ff7f0e", failed: "#d62728",
                   running: "#7f7f7f", paused: "#9467bd" };
  const PLOT_CONFIG = { displaylogo: false, responsive: true, displayModeBar: "hover" };
  const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif", size: 12 };

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else if (key === "style") node.style.cssText = value;
      else node.setAttribute(key, value);
    });
    (children || []).forEach((child) => node.appendChild(child));
    return node;
  }

  function fmt(value) {
    if (value === null || value === undefined) return "\u2013";
    if (typeof value === "number") {
      if (Number.isInteger(value)) return String(value);
      return Number(value.toPrecision(4)).toString();
    }
    return String(value);
  }

  function duration(seconds) {
    const s = Math.round(seconds);
    if (s < 60) return s + "s";
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h > 0 ? h + "h" + pad(m) + "m" + pad(r) + "s" : m + "m" + pad(r) + "s";
  }

  function layout(extra) {
    return Object.assign({ font: FONT, margin: { l: 64, r: 20, t: 36, b: 48 },
                           paper_bgcolor: "#fff", plot_bgcolor: "#fff", hovermode: "closest",
                           legend: { orientation: "h", y: -0.18 } }, extra);
  }

  function axis(title, extra) {
    return Object.assign({ title: { text: title }, gridcolor: "#eceff3", zeroline: false }, extra);
  }

  const trialsById = new Map(data.trials.map((t) => [t.id, t]));
  const withValue = data.trials.filter((t) => t.value !== null && t.status !== "failed");
  const ranked = withValue.slice().sort((a, b) => (maximize ? b.value - a.value : a.value - b.value));
  const best = ranked.length ? ranked[0] : null;

  // --- Header, counts and the best trial ---------------------------------------------------
  function drawOverview() {
    document.getElementById("title").textContent = "rungs report: " + study.name;
    document.querySelectorAll(".metric").forEach((node) => { node.textContent = study.metric; });
    const bits = [study.state, (maximize ? "maximize " : "minimize ") + study.metric,
                  "elapsed " + duration(study.elapsed)];
    if (study.scheduler) bits.push("scheduler " + study.scheduler);
    if (study.slurm_job_id) bits.push("Slurm job " + study.slurm_job_id);
    if (study.start_time) bits.push("started " + study.start_time.replace("T", " ").replace(/\.\d+Z$/, " UTC"));
    document.getElementById("subtitle").textContent = bits.join(" \u00b7 ");

    const counts = document.getElementById("counts");
    const total = data.trials.length;
    counts.appendChild(el("div", { class: "big", id: "trial-count",
      text: total + (study.max_trials ? " of " + study.max_trials : "") + " trials" }));
    const chips = el("div", { class: "chips" });
    STATUS_ORDER.forEach((status) => {
      const n = data.trials.filter((t) => t.status === status).length;
      if (n > 0) chips.appendChild(el("span", { class: "chip", "data-status": status,
        style: "background:" + COLORS[status], text: n + " " + status }));
    });
    counts.appendChild(chips);
    // The rungs' occupancy: trials by the highest rung they reached, and how they ended.
    if (total > 0) {
      const top = Math.max(...data.trials.map((t) => t.rung));
      const head = el("tr", {}, ["rung", "trials"].concat(STATUS_ORDER).map((h) => el("th", { text: h })));
      const rows = [head];
      for (let r = 0; r <= top; r++) {
        const here = data.trials.filter((t) => t.rung === r);
        rows.push(el("tr", {}, [r, here.length].concat(STATUS_ORDER.map((s) => here.filter((t) => t.status === s).length))
          .map((n) => el("td", { class: "num", text: String(n) }))));
      }
      counts.appendChild(el("h3", { text: "Rungs (trials by the highest rung they reached)" }));
      counts.appendChild(el("table", { id: "rungs" }, rows));
    }
    const failed = data.trials.filter((t) => t.status === "failed").slice(0, 5);
    failed.forEach((t) => counts.appendChild(el("div", { class: "muted",
      text: "trial " + t.id + " failed: " + (t.reason || "no reason recorded") })));

    const box = document.getElementById("best");
    if (!best) {
      box.appendChild(el("p", { class: "muted", text: "No trial has a result yet." }));
      return;
    }
    box.appendChild(el("div", { class: "big", id: "best-value",
      text: study.metric + " " + fmt(best.value) }));
    box.appendChild(el("div", { class: "muted", text: "trial " + best.id + ", " + best.status +
      " after " + best.epochs + " epochs, rung " + best.rung }));
    if (study.test && study.test.trial === best.id) {
      box.appendChild(el("div", { text: "test accuracy (held out): " + fmt(study.test.accuracy) }));
    }
    const rows = data.params.filter((p) => p.name in best.params).map((p) =>
      el("tr", {}, [el("th", { text: p.name }), el("td", { text: fmt(best.params[p.name]) })]));
    box.appendChild(el("table", { id: "best-params", style: "margin-top:8px" }, rows));
  }

  // --- Optimization history ----------------------------------------------------------------
  function drawHistory() {
    const h = data.history_by_trial;
    const statusOf = (id) => trialsById.get(id).status;
    const byTrial = [
      { name: "trial value", type: "scatter", mode: "markers", x: h.trial, y: h.value,
        marker: { size: 7, color: h.trial.map((id) => COLORS[statusOf(id)]) },
        text: h.trial.map((id) => "trial " + id + " (" + statusOf(id) + ")"),
        hovertemplate: "%{text}<br>" + study.metric + " %{y}<extra></extra>" },
      { name: "best so far", type: "scatter", mode: "lines", x: h.trial, y: h.best,
        line: { shape: "hv", color: "#2ca02c", width: 2.5 }, hoverinfo: "skip" },
    ];
    const below = { orientation: "h", x: 0, y: -0.3, yanchor: "top" };
    const p1 = Plotly.newPlot("history-trials", byTrial, layout({
      title: { text: "over trials", font: { size: 13 }, x: 0.01, xanchor: "left" }, legend: below,
      margin: { l: 64, r: 20, t: 36, b: 90 },
      xaxis: axis("trial"), yaxis: axis(study.metric) }), PLOT_CONFIG);

    const t = data.history_over_time;
    const lastTime = Math.max(0, ...data.trials.flatMap((tr) => tr.curve.time.filter((x) => x !== null)));
    const minutes = t.time.map((s) => s / 60);
    const line = { x: minutes.slice(), y: t.best.slice() };
    if (t.best.length && lastTime / 60 > line.x[line.x.length - 1]) {
      line.x.push(lastTime / 60);  // the best so far holds until the last result
      line.y.push(t.best[t.best.length - 1]);
    }
    const overTime = [
      { name: "best so far", type: "scatter", mode: "lines", x: line.x, y: line.y,
        line: { shape: "hv", color: "#2ca02c", width: 2.5 }, hoverinfo: "skip" },
      { name: "new best", type: "scatter", mode: "markers", x: minutes, y: t.value,
        marker: { size: 8, color: "#2ca02c" }, text: t.trial.map((id) => "trial " + id),
        hovertemplate: "%{text}<br>%{x:.1f} min: %{y}<extra></extra>" },
    ];
    const p2 = Plotly.newPlot("history-time", overTime, layout({
      title: { text: "over time", font: { size: 13 }, x: 0.01, xanchor: "left" }, legend: below,
      margin: { l: 64, r: 20, t: 36, b: 90 },
      xaxis: axis("minutes since the study started", { rangemode: "tozero" }),
      yaxis: axis("best " + study.metric + " so far") }), PLOT_CONFIG);
    return [p1, p2];
  }

  // --- Intermediate values (the ASHA picture) ----------------------------------------------
  // `metric`: the objective (its curve.value), or a name of study.metrics.
  function drawIntermediate(metric) {
    metric = metric || study.metric;
    const series = (tr) => metric === study.metric || !tr.curve.metrics ? tr.curve.value
      : tr.curve.metrics[metric] || [];
    // One trace per final status, trials separated by gaps: fast with thousands of trials.
    const traces = [];
    STATUS_ORDER.forEach((status) => {
      const trials = data.trials.filter((tr) => tr.status === status && tr.curve.epoch.length > 0);
      if (!trials.length) return;
      const x = [], y = [], text = [];
      trials.forEach((tr) => {
        const ys = series(tr);
        tr.curve.epoch.forEach((e, i) => { x.push(e); y.push(ys[i] === undefined ? null : ys[i]); text.push("trial " + tr.id); });
        x.push(null); y.push(null); text.push("");
      });
      traces.push({ name: status + " (" + trials.length + ")", type: "scatter", mode: "lines+markers",
        x, y, text, connectgaps: false, line: { color: COLORS[status], width: 1.5 },
        marker: { color: COLORS[status], size: 5 }, opacity: 0.85,
        hovertemplate: "%{text}<br>epoch %{x}: %{y}<extra>" + status + "</extra>" });
    });
    return Plotly.newPlot("intermediate", traces, layout({
      xaxis: axis("epoch", { dtick: study.max_epochs && study.max_epochs <= 20 ? 1 : undefined }),
      yaxis: axis(metric), legend: { orientation: "h", y: -0.16 } }), PLOT_CONFIG);
  }

  // The picker of the intermediate-values plot: the objective first, then every other metric.
  function metricPicker() {
    const select = document.getElementById("intermediate-metric");
    const names = [study.metric].concat((study.metrics || []).filter((m) => m !== study.metric));
    names.forEach((name) => {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    });
    select.addEventListener("change", () => drawIntermediate(select.value).catch(fail));
  }

  // --- Parallel coordinates ----------------------------------------------------------------
  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) return [lo];
    const raw = (hi - lo) / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
    return ticks;
  }

  function dimension(param, trials) {
    const present = trials.map((tr) => param.name in tr.params);
    const raw = trials.map((tr) => tr.params[param.name]);
    const anyMissing = present.some((p) => !p);
    let values, range, tickvals, ticktext;
    const numbers = raw.filter((v, i) => present[i] && typeof v === "number");
    const categorical = param.kind === "categorical" ||
      (param.kind === "unknown" && numbers.length < present.filter(Boolean).length);
    if (categorical) {
      const choices = param.choices ? param.choices.map(String)
        : Array.from(new Set(raw.filter((v, i) => present[i]).map(String))).sort();
      values = raw.map((v, i) => (present[i] ? choices.indexOf(String(v)) : -1));
      tickvals = choices.map((_, i) => i);
      ticktext = choices.slice();
      range = [anyMissing ? -1 : 0, Math.max(1, choices.length - 1)];
      if (choices.length === 1 && !anyMissing) range = [-0.5, 0.5];
    } else {
      const log = !!param.log;
      const f = (v) => (log ? Math.log10(v) : v);
      let lo = param.low !== undefined ? param.low : Math.min(...numbers);
      let hi = param.high !== undefined ? param.high : Math.max(...numbers);
      if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
      if (log) {
        tickvals = [];
        for (let d = Math.ceil(Math.log10(lo) - 1e-9); d <= Math.floor(Math.log10(hi) + 1e-9); d++) tickvals.push(d);
        if (tickvals.length < 2) tickvals = niceTicks(f(lo), f(hi), 4);
        ticktext = tickvals.map((v) => fmt(Math.pow(10, v)));
      } else {
        tickvals = niceTicks(lo, hi, 5);
        ticktext = tickvals.map(fmt);
      }
      const span = f(hi) - f(lo);
      const missingAt = f(lo) - 0.12 * span;
      values = raw.map((v, i) => (present[i] ? f(v) : missingAt));
      range = [anyMissing ? missingAt : f(lo), f(hi)];
      if (anyMissing) { tickvals = [missingAt].concat(tickvals); ticktext = ["n/a"].concat(ticktext); }
      return { label: param.name + (log ? " (log)" : ""), values, range, tickvals, ticktext };
    }
    if (anyMissing) { tickvals = [-1].concat(tickvals); ticktext = ["n/a"].concat(ticktext); }
    return { label: param.name, values, range, tickvals, ticktext };
  }

  function drawParallel() {
    const trials = withValue;
    const node = document.getElementById("parallel");
    if (trials.length === 0) {
      node.appendChild(el("p", { class: "muted", text: "No trial has a value yet." }));
      return Promise.resolve();
    }
    const values = trials.map((tr) => tr.value);
    const dims = data.params.filter((p) => trials.some((tr) => p.name in tr.params)).map((p) => dimension(p, trials));
    dims.push({ label: study.metric, values });
    return Plotly.newPlot(node, [{
      type: "parcoords", dimensions: dims,
      line: { color: values, colorscale: "Viridis", reversescale: !maximize, showscale: false },
      labelangle: -20, labelside: "top",
    }], layout({ margin: { l: 70, r: 70, t: 80, b: 30 } }), PLOT_CONFIG);
  }

  // --- Parameter importance ----------------------------------------------------------------
  function drawImportance() {
    const imp = data.importance;
    const method = document.getElementById("importance-method");
    const lines = [];
    if (imp.params.length) {
      lines.push("fANOVA main effects on a random forest of 64 regression trees (as Optuna's default " +
        "FanovaImportanceEvaluator): the share of the variance of the predicted " + study.metric +
        " that each parameter explains on its own, averaged over the trees and normalised to sum " +
        "to 1. Parameters are scaled as the sampler sees them (log parameters in log space, " +
        "categorical choices as equal cells).");
      lines.push("Trials are compared at the same budget, " + imp.budget + " epoch" +
        (imp.budget === 1 ? "" : "s") + " (the most epochs that 10 trials, or all when fewer, reached): " +
        imp.trials_used + " trials, each with its best " + study.metric + " over its first " +
        imp.budget + " epoch" + (imp.budget === 1 ? "" : "s") + ".");
    } else {
      lines.push("Parameter importance not computed: " + imp.note + ".");
    }
    if (imp.left_out.length) {
      lines.push("Left out (conditional, absent from some trials): " + imp.left_out.join(", ") + ".");
    }
    lines.forEach((line) => method.appendChild(el("p", { text: line })));
    if (!imp.params.length) return Promise.resolve();
    const rows = imp.params.slice().reverse();  // the most important at the top
    return Plotly.newPlot("importance", [{
      type: "bar", orientation: "h", x: rows.map((p) => p.importance), y: rows.map((p) => p.name),
      text: rows.map((p) => (100 * p.importance).toFixed(1) + "%"), textposition: "outside",
      cliponaxis: false, marker: { color: "#1f77b4" },
      hovertemplate: "%{y}: %{x:.3f}<extra></extra>" }],
    layout({ xaxis: axis("importance", { range: [0, Math.min(1.15, Math.max(...rows.map((p) => p.importance)) * 1.25)] }),
             yaxis: { automargin: true }, margin: { l: 20, r: 30, t: 20, b: 48 },
             height: Math.max(260, 60 + 34 * rows.length) }),
    Object.assign({}, PLOT_CONFIG, { displayModeBar: false }));
  }

  // --- The best trials as a table ----------------------------------------------------------
  function drawTable() {
    const table = document.getElementById("top-trials");
    const names = data.params.map((p) => p.name);
    const head = ["rank", "trial", study.metric, "status", "epochs", "rung"].concat(names);
    table.appendChild(el("tr", {}, head.map((h) => el("th", { text: h }))));
    ranked.slice(0, 10).forEach((tr, i) => {
      const cells = [i + 1, tr.id, tr.value, tr.status, tr.epochs, tr.rung].concat(names.map((n) => tr.params[n]));
      table.appendChild(el("tr", {}, cells.map((c) => el("td", { class: typeof c === "number" ? "num" : "", text: fmt(c) }))));
    });
  }

  function footer() {
    document.getElementById("footer").textContent = "Made by rungs " + study.rungs_version + " from " +
      study.path + " on " + study.generated.replace("T", " ").replace(/\.\d+Z$/, " UTC") +
      " with plotly.js " + study.plotly_version + " (MIT license), embedded: this file needs no network.";
  }

  function fail(error) {
    const box = document.getElementById("errors");
    box.hidden = false;
    box.textContent += "report error: " + (error && error.stack ? error.stack : error) + "\n";
    document.body.setAttribute("data-render-error", "true");
  }

  try {
    drawOverview();
    drawTable();
    footer();
    metricPicker();
    const plots = [].concat(drawHistory(), drawIntermediate(), drawParallel(), drawImportance());
    Promise.all(plots).then(() => document.body.setAttribute("data-rendered", "true"), fail);
  } catch (error) {
    fail(error);
  }
})();
