// backprop playground: the page. Every number comes from the server, which trains with the library;
// this file only sends the controls and draws the frames (see protocol.py for the frame layout).
"use strict";

const COLORS = [[245, 147, 34], [8, 119, 189], [46, 160, 67], [148, 103, 189], [214, 39, 40]];
const $ = (id) => document.getElementById(id);
const pg = window.__pg = {frames: 0, drawn: 0, header: null, arrays: null, run: null, hello: null, trace: null,
                           gradcheck: null, errors: [], rows: [], health: [], healthLayers: []};
let ws = null, state = null, backward = false, hover = null, playing = false;
let fpsCount = 0;

// ------------------------------------------------------------------------------------------ wiring
function connect() {
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.binaryType = "arraybuffer";
  ws.onmessage = (event) => typeof event.data === "string" ? onMessage(JSON.parse(event.data)) : onFrame(event.data);
  ws.onclose = () => status("the connection to the playground server closed: reload the page", true);
}

function send(message) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

function status(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
  if (error) pg.errors.push(text);
}

function onMessage(m) {
  if (m.type === "hello") return hello(m);
  if (m.type === "started") return started(m);
  if (m.type === "changed") { state = m.state; showControls(); showCommand(m.command); return; }
  if (m.type === "trace") return showTrace(m);
  if (m.type === "gradcheck") return showGradcheck(m);
  if (m.type === "error") { status(m.message, true); if (state) showControls(); }
}

function hello(m) {
  pg.hello = m;
  fill("dataset", Object.keys(m.sets));
  for (const key of ["activation", "loss", "optimizer", "schedule"]) fill(key, m.choices[key]);
  status("preparing the training engine (the first run compiles it: a few seconds)...");
  send({type: "start", state: stateFromLink()});
}

function stateFromLink() {
  if (location.hash.length > 1) {
    try { return {...pg.hello.defaults, ...JSON.parse(decodeURIComponent(location.hash.slice(1)))}; }
    catch (err) { status("the link's state could not be read: starting from the defaults", true); }
  }
  return pg.hello.defaults;
}

// a link pasted into this tab changes only the hash: the page loads that state (replaceState fires no event)
window.addEventListener("hashchange", () => { if (pg.hello) send({type: "start", state: stateFromLink()}); });

function fill(id, names) {
  $(id).innerHTML = names.map((n) => `<option value="${n}">${n}</option>`).join("");
}

function started(m) {
  pg.run = m; state = m.state; hover = null; pg.rows = []; pg.health = []; pg.healthLayers = []; pg.header = null; pg.arrays = null;
  playing = false; $("play").innerHTML = "&#9654; play";
  showControls();
  $("centers-row").hidden = state.dataset !== "blobs";
  $("click-what").textContent = m.task === "regression" ? "click adds value" : "click adds class";
  const classes = m.task === "regression" ? [-1, 0, 1] : [...Array(Math.max(m.classes, 2)).keys()];
  fill("click-class", classes.map(String));
  showCommand(m.command);
  $("download-model").href = `/sessions/${m.token}/model.safetensors`;
  $("download-data").hidden = !m.edited;
  $("download-data").href = `/sessions/${m.token}/playground-data.csv`;
  // the whole state, an upload included (its CSV deflated, base64url): a link reproduces the run
  history.replaceState(null, "", "#" + encodeURIComponent(JSON.stringify(state)));
  $("link").href = location.href;
  status(state.dataset === "upload" ? `uploaded data: the link to this run carries it ` +
         `(${location.href.length.toLocaleString("en")} characters)` : "");
  sendView();
  drawNetwork();
}

function showControls() {
  // the run's state, also after a refused change: the controls never show what is not trained
  for (const key of ["dataset", "noise", "n_samples", "test_size", "data_seed", "centers", "activation", "loss",
                     "seed", "optimizer", "learning_rate", "schedule", "batch_size", "weight_decay", "epochs"]) {
    $(key).value = state[key];
  }
  $("shuffle").checked = state.shuffle;
  $("step-sample").textContent = state.batch_size === 1 ? "+1 sample" : `+1 batch (${state.batch_size})`;
  if (pg.run) drawLayerControls();
}

function showCommand(command) {
  // one unbreakable span a word: the box wraps between words, never inside "--activation" or "1000"
  const box = $("command");
  box.replaceChildren();
  command.split(" ").forEach((word, i) => {
    const span = document.createElement("span");
    span.textContent = word;
    box.append(...(i ? [" ", span] : [span]));
  });
  if (pg.run && pg.run.edited) box.append("\n# with playground-data.csv downloaded here");
}

// ------------------------------------------------------------------------------------------ frames
function decodeFrame(buffer) {
  const view = new DataView(buffer);
  const length = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, length)));
  const arrays = {};
  let offset = 8 + length;
  for (const [name, shape] of header.arrays) {
    const size = shape.reduce((a, b) => a * b, 1);
    arrays[name] = {shape, data: new Float32Array(buffer, offset, size)};
    offset += 4 * size;
  }
  return {header, arrays};
}

let drawPending = false;

function onFrame(buffer) {
  const {header, arrays} = decodeFrame(buffer);
  if (!pg.run || header.run !== pg.run.run) return;  // a frame of the run this one replaced
  pg.frames += 1;
  pg.header = header; pg.arrays = arrays;
  for (const row of header.rows) pg.rows.push(row);
  for (const row of header.health) {
    pg.health.push(row);
    (pg.healthLayers[row.layer] = pg.healthLayers[row.layer] || []).push(row);
  }
  playing = header.playing;
  if (!drawPending) { drawPending = true; requestAnimationFrame(draw); }  // the newest frame, once per paint
}

function draw() {
  drawPending = false;
  const header = pg.header;
  if (!header) return;
  pg.drawn += 1; fpsCount += 1;
  playing = header.playing;
  $("play").innerHTML = playing ? "&#10074;&#10074; pause" : "&#9654; play";
  $("epoch").textContent = header.position ? `${header.epoch} + ${header.position} samples` : header.epoch;
  $("sps").textContent = Math.round(header.sps).toLocaleString("en");
  if (header.error) status(header.error, true);
  const last = pg.rows[pg.rows.length - 1];
  const name = pg.run.task === "regression" ? "R²" : "accuracy";
  // accuracy as a percentage; R² as the number evaluate prints (it is no share: it can go below 0)
  const score = pg.run.task === "regression" ? (v) => v.toFixed(4) : (v) => `${(100 * v).toFixed(1)}%`;
  if (last && last.val_accuracy !== null) {
    $("score").textContent = `test ${name} ${score(last.val_accuracy)}` +
      `  train ${score(last.train_accuracy)}  loss ${last.loss.toFixed(5)}`;
  }
  drawPlane(); drawCurves(); drawNetwork(); drawNeuron(); drawHealth();
}

setInterval(() => { $("fps").textContent = fpsCount; pg.fps = fpsCount; fpsCount = 0; }, 1000);

// ------------------------------------------------------------------------------------------ the plane
function toCanvas(x, y, canvas) {
  const [x0, x1, y0, y1] = pg.run.extent;
  return [(x - x0) / (x1 - x0) * canvas.width, (y1 - y) / (y1 - y0) * canvas.height];
}

function fromCanvas(px, py, canvas) {
  const [x0, x1, y0, y1] = pg.run.extent;
  return [x0 + px / canvas.width * (x1 - x0), y1 - py / canvas.height * (y1 - y0)];
}

function regressionColor(v) {
  const t = Math.max(-1, Math.min(1, v));
  const c = t < 0 ? COLORS[0] : COLORS[1];
  const s = Math.abs(t);
  return c.map((k) => 255 - (255 - k) * s);
}

function cellColor(values, k) {
  if (pg.run.task === "regression") return regressionColor(values[0]);
  if (k === 1) {
    const p = values[0];
    return COLORS[p > 0.5 ? 1 : 0].map((c) => 255 - (255 - c) * Math.min(1, Math.abs(p - 0.5) * 2) * 0.85);
  }
  let best = 0, sum = 0;
  for (let j = 0; j < k; j++) { if (values[j] > values[best]) best = j; sum += Math.max(values[j], 0); }
  const share = sum > 0 ? values[best] / sum : 0;
  const strength = Math.max(0, Math.min(1, (share - 1 / k) / (1 - 1 / k)));
  return COLORS[best % COLORS.length].map((c) => 255 - (255 - c) * strength * 0.85);
}

function mapImage(array, colorOf) {
  const [rows, cols] = array.shape;
  const k = array.shape[2] || 1;
  const image = new ImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const rgb = colorOf(array.data.subarray(i * k, i * k + k), k);
    image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
  }
  const off = document.createElement("canvas");
  off.width = cols; off.height = rows;
  off.getContext("2d").putImageData(image, 0, 0);
  return off;
}

function pointsLayer(canvas) {
  // the points never move during a run: drawn once onto a layer of their own, not 2000 arcs a frame
  if (pg.pointsLayer && pg.pointsLayer.run === pg.run) return pg.pointsLayer.canvas;
  const layer = document.createElement("canvas");
  layer.width = canvas.width; layer.height = canvas.height;
  const ctx = layer.getContext("2d");
  const {points, labels, n_train} = pg.run;
  let spread = 1e-9;
  for (const v of labels) if (v !== null) spread = Math.max(spread, Math.abs(v));
  for (let i = 0; i < points.length; i++) {
    const [px, py] = toCanvas(points[i][0], points[i][1], canvas);
    const rgb = pg.run.task === "regression" ? regressionColor(labels[i] / spread) : COLORS[labels[i] % COLORS.length];
    ctx.beginPath(); ctx.arc(px, py, 3, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${rgb})`; ctx.fill();
    ctx.lineWidth = 1; ctx.strokeStyle = i < n_train ? "#fff" : "#000"; ctx.stroke();
  }
  pg.pointsLayer = {run: pg.run, canvas: layer};
  return layer;
}

function drawPlane() {
  const canvas = $("plane"), ctx = canvas.getContext("2d");
  if (!pg.arrays) return;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(mapImage(pg.arrays.heat, cellColor), 0, 0, canvas.width, canvas.height);
  ctx.drawImage(pointsLayer(canvas), 0, 0);
  const rings = new Path2D();  // wrong test points, ringed in red
  for (const i of pg.header.wrong) {
    const [px, py] = toCanvas(pg.run.points[i + pg.run.n_train][0], pg.run.points[i + pg.run.n_train][1], canvas);
    rings.moveTo(px + 6, py); rings.arc(px, py, 6, 0, 2 * Math.PI);
  }
  ctx.strokeStyle = "#d00"; ctx.lineWidth = 1.5; ctx.stroke(rings);
}

function nearestPoint(px, py, canvas) {
  let best = -1, bestDistance = 49;  // within 7 px
  pg.run.points.forEach(([x, y], i) => {
    const [qx, qy] = toCanvas(x, y, canvas);
    const d = (qx - px) ** 2 + (qy - py) ** 2;
    if (d < bestDistance) { best = i; bestDistance = d; }
  });
  return best;
}

$("plane").addEventListener("click", (event) => {
  if (!pg.run) return;
  const canvas = $("plane"), rect = canvas.getBoundingClientRect();
  const px = (event.clientX - rect.left) * canvas.width / rect.width;
  const py = (event.clientY - rect.top) * canvas.height / rect.height;
  const index = nearestPoint(px, py, canvas);
  if (index >= 0 && event.shiftKey) return send({type: "remove_point", index});
  if (index >= 0) return send({type: "trace", index});
  const [x, y] = fromCanvas(px, py, canvas);
  const label = pg.run.task === "regression" ? parseFloat($("click-class").value) : parseInt($("click-class").value, 10);
  send({type: "add_point", x, y, label});
});

// ------------------------------------------------------------------------------------------ curves
function drawLines(ctx, box, series, yRange, title) {
  const [x, y, w, h0] = box;
  ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1; ctx.strokeRect(x, y, w, h0);
  ctx.fillStyle = "#444"; ctx.font = "11px sans-serif"; ctx.fillText(title, x + 4, y + 12);
  // the title and the legend sit above the plot, not on its curves (the loss starts at the top left)
  const perRow = Math.max(1, Math.floor((w - 8) / 65)), rows = Math.ceil(series.length / perRow);
  const top = y + 18 + 12 * rows, h = y + h0 - 3 - top;
  series.forEach((s, j) => {
    ctx.fillStyle = s.color; ctx.fillText(s.name, x + 4 + 65 * (j % perRow), y + 26 + 12 * Math.floor(j / perRow));
  });
  const n = Math.max(...series.map((s) => s.values.length), 2);
  const stride = Math.ceil(n / 400);  // at most ~400 points a curve, however long the run
  const [lo, hi] = yRange;
  series.forEach((s) => {
    ctx.beginPath(); ctx.strokeStyle = s.color; ctx.setLineDash(s.dash || []); ctx.lineWidth = 1.5;
    let started = false;
    s.values.forEach((v, i) => {
      if (i % stride !== 0 && i !== s.values.length - 1) return;
      if (v === null || !isFinite(v)) return;
      const px = x + i / (n - 1) * w, py = top + h - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo || 1) * h;
      started ? ctx.lineTo(px, py) : ctx.moveTo(px, py); started = true;
    });
    ctx.stroke(); ctx.setLineDash([]);
  });
}

function drawCurves() {
  const canvas = $("curves"), ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const rows = pg.rows;
  let top = 1e-12;
  for (const r of rows) top = Math.max(top, r.loss === null ? 0 : r.loss, r.val_loss === null ? 0 : r.val_loss);
  drawLines(ctx, [2, 2, canvas.width / 2 - 6, canvas.height - 6], [
    {name: "train loss", values: rows.map((r) => r.loss), color: "#183d4e"},
    {name: "test loss", values: rows.map((r) => r.val_loss), color: "#e8710a", dash: [4, 3]}], [0, top], "loss");
  const name = pg.run.task === "regression" ? "R²" : "accuracy";
  drawLines(ctx, [canvas.width / 2 + 2, 2, canvas.width / 2 - 6, canvas.height - 6], [
    {name: "train", values: rows.map((r) => r.train_accuracy), color: "#183d4e"},
    {name: "test", values: rows.map((r) => r.val_accuracy), color: "#e8710a", dash: [4, 3]}], [0, 1], name, true);
}

function drawHealth() {
  const canvas = $("health"), ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const layers = pg.run.sizes.length - 1;
  const palette = ["#183d4e", "#e8710a", "#2ea043", "#9467bd", "#d62728", "#8c564b", "#17becf"];
  let lo = 0, hi = -9;
  for (const r of pg.health) if (r.grad_norm > 0) { lo = Math.min(lo, Math.log10(r.grad_norm)); hi = Math.max(hi, Math.log10(r.grad_norm)); }
  const perLayer = (key, f) => [...Array(layers).keys()].map((l) => ({
    name: `layer ${l}`, color: palette[l % palette.length],
    values: (pg.healthLayers[l] || []).map((r) => r[key] === null ? null : f(r[key]))}));
  drawLines(ctx, [2, 2, canvas.width / 2 - 6, canvas.height - 6], perLayer("grad_norm", Math.log10), [lo, hi],
            "log10 gradient norm");
  const unhealthy = perLayer("saturated", (v) => v);
  const dead = perLayer("dead", (v) => v);
  const stuck = unhealthy.map((s, l) => ({...s, values: s.values.map((v, i) => v === null ? dead[l].values[i] : v)}));
  drawLines(ctx, [canvas.width / 2 + 2, 2, canvas.width / 2 - 6, canvas.height - 6], stuck, [0, 1],
            "share saturated (sigmoid, tanh) or dead (relu)");
}

// ------------------------------------------------------------------------------------------ the network
function layout() {
  const canvas = $("net"), sizes = pg.run.sizes;
  const columns = sizes.map((n, l) => {
    const x = 30 + l * (canvas.width - 60) / (sizes.length - 1);
    const step = Math.min(34, (canvas.height - 20) / n);
    const top = (canvas.height - step * (n - 1)) / 2;
    return [...Array(n).keys()].map((j) => [x, top + j * step, Math.max(2, Math.min(10, step / 2 - 1))]);
  });
  return columns;
}

function linkValues(l) {
  const a = pg.arrays;
  return backward && a[`dW${l}`] ? a[`dW${l}`] : a[`W${l}`];
}

function drawNetwork() {
  const canvas = $("net"), ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!pg.run || !pg.arrays) return;
  // what the server computes (server.BACKWARD_SAMPLES): every training sample, at the weights of the frame shown
  $("network-title").textContent = backward ? `Network backward: dL/dw on links, mean |delta| in neurons ` +
    `(all ${pg.run.n_train.toLocaleString("en")} training samples, at the weights shown)` : "Network: weights";
  const columns = layout();
  // links in 2 colours x 8 widths: 16 strokes, not one per link (2600 for the seed's network)
  const paths = new Map();
  for (let l = 0; l + 1 < columns.length; l++) {
    const values = linkValues(l);
    const [nIn, nOut] = values.shape;
    let scale = 0;
    for (const v of values.data) scale = Math.max(scale, Math.abs(v));
    const unit = backward ? 4 / (scale || 1) : 1.5;
    for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) {
      const v = values.data[i * nOut + j];
      const key = `${v >= 0 ? 1 : 0}${Math.min(7, Math.round(Math.abs(v) * unit * 2))}`;
      if (!paths.has(key)) paths.set(key, new Path2D());
      const path = paths.get(key);
      path.moveTo(columns[l][i][0], columns[l][i][1]); path.lineTo(columns[l + 1][j][0], columns[l + 1][j][1]);
    }
  }
  for (const [key, path] of paths) {
    ctx.strokeStyle = key[0] === "1" ? "rgba(8,119,189,0.55)" : "rgba(245,147,34,0.55)";
    ctx.lineWidth = Math.max(0.1, +key.slice(1) / 2); ctx.stroke(path);
  }
  columns.forEach((column, l) => {
    const delta = l > 0 && backward ? pg.arrays[`delta${l - 1}`] : null;
    let top = 0;
    if (delta) for (const v of delta.data) top = Math.max(top, v);
    column.forEach(([x, y, r], j) => {
      const shade = delta ? 255 - 200 * delta.data[j] / (top || 1) : 255;
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = delta ? `rgb(255,${shade},${shade})` : "#fff"; ctx.fill();
      ctx.lineWidth = hover && hover[0] === l - 1 && hover[1] === j ? 2.5 : 1; ctx.strokeStyle = "#333"; ctx.stroke();
    });
  });
}

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

$("net").addEventListener("mousemove", (event) => {
  if (!pg.run || !pg.arrays) return;
  const canvas = $("net"), rect = canvas.getBoundingClientRect();
  const px = event.clientX - rect.left, py = event.clientY - rect.top;
  const columns = layout();
  let found = null;
  columns.forEach((column, l) => column.forEach(([x, y, r], j) => {
    if (Math.hypot(px - x, py - y) <= r + 3) found = [l - 1, j];
  }));
  const tip = $("tooltip");
  tip.hidden = true;
  if (found) {
    if (!hover || hover[0] !== found[0] || hover[1] !== found[1]) { hover = found; sendView(); }
    return;
  }
  for (let l = 0; l + 1 < columns.length; l++) {
    for (let i = 0; i < columns[l].length; i++) for (let j = 0; j < columns[l + 1].length; j++) {
      if (segmentDistance(px, py, columns[l][i], columns[l + 1][j]) < 2.5) {
        const values = linkValues(l);
        tip.textContent = `${backward ? "dL/dw" : "w"} layer ${l} [${i}→${j}] = ${values.data[i * values.shape[1] + j].toPrecision(4)}`;
        tip.style.left = `${px + 14}px`; tip.style.top = `${py + 40}px`; tip.hidden = false;
        return;
      }
    }
  }
});

function drawNeuron() {
  const canvas = $("neuron"), ctx = canvas.getContext("2d");
  const map = pg.arrays && pg.arrays.neuron;
  if (!map || !hover) return;
  let lo = Infinity, hi = -Infinity;
  for (const v of map.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const image = mapImage(map, (v) => regressionColor(hi > lo ? 2 * (v[0] - lo) / (hi - lo) - 1 : 0));
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  const name = hover[0] < 0 ? `input x${hover[1] + 1}` : `layer ${hover[0]} neuron ${hover[1]}`;
  $("neuron-label").textContent = `${name}: its output over the plane, ${lo.toPrecision(3)} (orange) to ${hi.toPrecision(3)} (blue)`;
}

function sendView() { send({type: "view", backward, hover}); }

// ------------------------------------------------------------------------------------------ backward
function vector(values, limit = 6) {
  const shown = values.slice(0, limit).map((v) => v.toFixed(4)).join(", ");
  return `[${shown}${values.length > limit ? ", …" : ""}]`;
}

function norm(rows) { return Math.sqrt(rows.flat().reduce((s, v) => s + v * v, 0)); }

function showTrace(m) {
  pg.trace = m;
  const t = m.trace, eq = t.equations;
  const last = t.layers.length - 1;
  let html = `<p>point ${m.index} (${m.index < pg.run.n_train ? "training" : "test"}): x = ${vector(t.input)},
    label ${t.label}, target t = ${vector(t.target)}; loss (${t.loss_name}) = <b>${t.loss.toPrecision(6)}</b></p>
    <table><tr><th>layer</th><th>forward</th><th>value</th><th>backward</th><th>value</th></tr>`;
  for (const layer of t.layers) {
    const l = layer.layer;
    html += `<tr><td>${l} (${layer.shape[0]}→${layer.shape[1]}, ${layer.activation})</td>
      <td><code>${eq.z}</code><br><code>${eq.a}</code></td><td>z = ${vector(layer.z)}<br>a = ${vector(layer.a)}</td>
      <td><code>${l === last ? t.output_delta : eq.delta_hidden}</code><br><code>${eq.dW}</code><br><code>${eq.db}</code></td>
      <td class="delta">delta = ${vector(layer.delta)}<br>dW: ${layer.shape.join("×")}, norm ${norm(layer.dW).toExponential(4)}
      <br>db = ${vector(layer.db)}</td></tr>`;
  }
  html += `</table><p>one SGD step with lr ${t.learning_rate}: <code>${eq.step}</code></p>`;
  $("trace").innerHTML = html;
  $("trace-box").hidden = false;
}

function showGradcheck(m) {
  pg.gradcheck = m;
  const worst = {};
  for (const c of m.checks) {
    const layer = c.name.split(" ")[1];
    worst[layer] = Math.max(worst[layer] || 0, c.error);
  }
  $("gradcheck-result").textContent = Object.entries(worst).map(([l, e]) =>
    `layer ${l}: worst relative error ${e.toExponential(3)}`).join("\n") + `\n${m.passed ? "PASS" : "FAIL"}` +
    " (backpropagation against central finite differences, first 20 training samples)";
}

// ------------------------------------------------------------------------------------------ controls
function drawLayerControls() {
  $("layers").innerHTML = state.hidden.map((w, l) => `<div class="layer-row">hidden ${l + 1}: <b>${w}</b> neurons
    <span><button data-layer="${l}" data-d="-1">&minus;</button><button data-layer="${l}" data-d="1">+</button></span></div>`).join("");
  for (const button of $("layers").querySelectorAll("button")) {
    button.onclick = () => {
      const hidden = [...state.hidden];
      hidden[+button.dataset.layer] = Math.max(1, hidden[+button.dataset.layer] + +button.dataset.d);
      restart({hidden});
    };
  }
}

function restart(changes) { send({type: "start", state: {...state, ...changes}}); }

$("add-layer").onclick = () => restart({hidden: [...state.hidden, state.hidden[state.hidden.length - 1] || 4]});
$("remove-layer").onclick = () => restart({hidden: state.hidden.slice(0, -1)});
$("play").onclick = () => send({type: playing ? "pause" : "play"});
$("step-epoch").onclick = () => send({type: "step_epoch"});
$("step-sample").onclick = () => send({type: "step_sample"});
$("reset").onclick = () => send({type: "reset"});
$("regenerate").onclick = () => restart({added: [], removed: []});
$("gradcheck").onclick = () => send({type: "gradcheck"});
$("trace-close").onclick = () => { $("trace-box").hidden = true; };
$("backward").onchange = () => { backward = $("backward").checked; sendView(); drawNetwork(); };
$("link").onclick = (event) => { event.preventDefault(); navigator.clipboard && navigator.clipboard.writeText(location.href);
  status("the link to this run is in the address bar (and the clipboard)"); };

const numeric = (id) => parseFloat($(id).value);
$("dataset").onchange = () => {
  const name = $("dataset").value;
  const regression = name === "plane" || name === "gaussians";
  restart({dataset: name, ...pg.hello.sets[name], added: [], removed: [],
           loss: regression ? "mse" : state.loss});
};
for (const key of ["noise", "n_samples", "test_size", "data_seed", "centers", "seed"]) {
  $(key).onchange = () => restart({[key]: key === "noise" || key === "test_size" ? numeric(key) : parseInt($(key).value, 10),
                                   added: key === "seed" ? state.added : [], removed: key === "seed" ? state.removed : []});
}
for (const key of ["activation", "loss"]) $(key).onchange = () => restart({[key]: $(key).value});
$("shuffle").onchange = () => restart({shuffle: $("shuffle").checked});
for (const key of ["optimizer", "schedule"]) $(key).onchange = () => send({type: "change", fields: {[key]: $(key).value}});
for (const key of ["learning_rate", "weight_decay"]) $(key).onchange = () => send({type: "change", fields: {[key]: numeric(key)}});
for (const key of ["batch_size", "epochs"]) $(key).onchange = () => send({type: "change", fields: {[key]: parseInt($(key).value, 10)}});
$("upload").onchange = async () => {
  const file = $("upload").files[0];
  if (!file) return;
  if (file.size > pg.hello.limits.upload_bytes) {
    return status(`${file.name} is ${file.size.toLocaleString("en")} bytes: the playground takes at most ` +
                  `${pg.hello.limits.upload_bytes.toLocaleString("en")}`, true);
  }
  send({type: "upload", csv: await file.text(), task: $("upload-regression").checked ? "regression" : "classification"});
};

connect();
