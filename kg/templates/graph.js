// kg graph page. Every string from the graph reaches the DOM through textContent or
// a text node, never innerHTML, so article text cannot become markup or code.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("kg-data").textContent);
  const STANCE_LINKS = new Set(["hasStance", "about"]);
  const QID = /^Q[1-9][0-9]{0,11}$/;

  // ------------------------------------------------------------------ helpers
  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clip(text, n) {
    text = String(text == null ? "" : text).replace(/\s+/g, " ").trim();
    return text.length <= n ? text : text.slice(0, n - 1) + "…";
  }
  function norm(text) { return String(text).replace(/\s+/g, " ").trim().toLowerCase(); }
  function wikidataLink(qid) {
    const a = el("a", null, qid);
    a.href = "https://www.wikidata.org/wiki/" + qid;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }
  function setStatus(text) { document.getElementById("status").textContent = text; }

  const byId = new Map(DATA.nodes.map((n) => [n.id, n]));
  const incident = new Map(DATA.nodes.map((n) => [n.id, []]));
  for (const e of DATA.edges) {
    incident.get(e.from).push(e);
    if (e.to !== e.from) incident.get(e.to).push(e);
  }
  const typeColour = new Map(DATA.types.map((t) => [t.type, t.colour]));
  function nameOf(id) { const n = byId.get(id); return n ? n.kg.name : String(id); }
  function evidenceOf(node) {
    if (node.kg.type === "Stance") return node.kg.provenance;
    const out = [];
    for (const e of incident.get(node.id)) for (const p of e.kg.provenance || []) out.push(p);
    return out;
  }

  // ------------------------------------------------------------------ tooltips
  function nodeTooltip(node) {
    const k = node.kg, box = el("div", "tt");
    const type = box.appendChild(el("div", "tt-type", k.type === "Stance" ? "Stance · " + k.polarity : k.type));
    type.style.color = typeColour.get(k.type) || "#555";
    box.appendChild(el("div", "tt-name", clip(k.name, 300)));
    if (k.type === "Stance") {
      box.appendChild(el("div", "tt-meta", nameOf(k.holder) + " → " + nameOf(k.topic)));
    }
    if (k.aliases && k.aliases.length) box.appendChild(el("div", "tt-meta", "Also: " + clip(k.aliases.join(", "), 200)));
    if (k.wikidata && QID.test(k.wikidata)) {
      const w = box.appendChild(el("div", "tt-meta", "Wikidata: "));
      w.appendChild(wikidataLink(k.wikidata));
    }
    if (k.type !== "Stance") box.appendChild(el("div", "tt-meta", k.mentions + " mention(s) · " + k.degree + " link(s)"));
    const ev = evidenceOf(node);
    for (const p of ev.slice(0, 2)) box.appendChild(el("blockquote", null, clip(p.evidence, 240)));
    if (ev.length > 2) box.appendChild(el("div", "tt-meta", "+ " + (ev.length - 2) + " more sentence(s)"));
    box.appendChild(el("div", "tt-hint", "Click for facts, evidence and confidence"));
    return box;
  }
  function edgeTooltip(edge) {
    const k = edge.kg, box = el("div", "tt");
    box.appendChild(el("div", "tt-type", k.predicate));
    box.appendChild(el("div", "tt-name", clip(nameOf(edge.from), 80) + " → " + clip(nameOf(edge.to), 80)));
    if (!k.stance) {
      box.appendChild(el("div", "tt-meta", "confidence " + k.confidence.toFixed(2) + (k.former ? " · former" : "")));
      for (const p of k.provenance.slice(0, 1)) box.appendChild(el("blockquote", null, clip(p.evidence, 240)));
    }
    return box;
  }
  const edgeById = new Map(DATA.edges.map((e) => [e.id, e]));

  // ------------------------------------------------------------------ network
  const nodes = new vis.DataSet(DATA.nodes);
  const edges = new vis.DataSet(DATA.edges);
  const network = new vis.Network(document.getElementById("graph"), {}, DATA.options);
  window.network = network;  // as on pyvis pages: tests and tools read it

  let settled = false;
  function markSettled() {
    if (settled) return;
    settled = true;
    network.setOptions({ physics: { enabled: false } });
    network.fit({ animation: false });
    // tiny graphs: fit would zoom in until labels look shouty
    if (network.getScale() > 1.4) network.moveTo({ position: network.getViewPosition(), scale: 1.4 });
    window.kgSettledMs = performance.now();
    document.documentElement.dataset.state = "settled";
    setStatus(DATA.nodes.length + " nodes shown");
  }
  if (DATA.options.physics.enabled && DATA.nodes.length) {
    network.on("stabilizationProgress", (p) => setStatus("Laying out… " + Math.round((100 * p.iterations) / p.total) + "%"));
    network.once("stabilizationIterationsDone", markSettled);
  }
  network.setData({ nodes: nodes, edges: edges });
  if (!(DATA.options.physics.enabled && DATA.nodes.length)) setTimeout(markSettled, 0);

  // Tooltips are built on hover (not one per node up front, which costs most of a
  // second at 2,000 nodes) and positioned by hand, so no title ever goes through vis.
  const tip = document.getElementById("tooltip");
  function showTip(content, pointer) {
    tip.replaceChildren(content);
    tip.hidden = false;
    const box = document.getElementById("graph").getBoundingClientRect();
    const x = Math.min(pointer.DOM.x + 14, box.width - tip.offsetWidth - 8);
    const y = pointer.DOM.y + 14 + tip.offsetHeight > box.height ? pointer.DOM.y - tip.offsetHeight - 10 : pointer.DOM.y + 14;
    tip.style.left = Math.max(4, x) + "px";
    tip.style.top = Math.max(4, y) + "px";
  }
  function hideTip() { tip.hidden = true; }
  network.on("hoverNode", (p) => showTip(nodeTooltip(byId.get(p.node)), p.pointer));
  network.on("hoverEdge", (p) => showTip(edgeTooltip(edgeById.get(p.edge)), p.pointer));
  for (const ev of ["blurNode", "blurEdge", "dragStart", "zoom"]) network.on(ev, hideTip);

  // ------------------------------------------------------------------ filters
  const typeOn = new Map(DATA.types.map((t) => [t.type, true]));
  const relOn = new Map(DATA.relations.map((r) => [r.predicate, true]));
  const boxes = { types: [], relations: [] };

  function applyFilters() {
    const hiddenNode = new Map();
    const nodeUpdates = [], edgeUpdates = [];
    for (const n of DATA.nodes) {
      const hidden = !typeOn.get(n.kg.type);
      hiddenNode.set(n.id, hidden);
      if (!!nodes.get(n.id).hidden !== hidden) nodeUpdates.push({ id: n.id, hidden: hidden });
    }
    for (const e of DATA.edges) {
      const hidden = !relOn.get(e.kg.predicate) || hiddenNode.get(e.from) || hiddenNode.get(e.to);
      if (!!edges.get(e.id).hidden !== hidden) edgeUpdates.push({ id: e.id, hidden: hidden });
    }
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    let shown = 0;
    for (const h of hiddenNode.values()) if (!h) shown += 1;
    if (settled) setStatus(shown + " of " + DATA.nodes.length + " nodes shown");
  }

  const SVG = "http://www.w3.org/2000/svg";
  function swatch(t) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("viewBox", "0 0 18 18");
    const shapes = {
      dot: ["circle", { cx: 9, cy: 9, r: 7 }],
      square: ["rect", { x: 2.5, y: 2.5, width: 13, height: 13 }],
      box: ["rect", { x: 1, y: 4, width: 16, height: 10, rx: 2 }],
      ellipse: ["ellipse", { cx: 9, cy: 9, rx: 8, ry: 5.5 }],
      triangle: ["polygon", { points: "9,1.5 16.5,15.5 1.5,15.5" }],
      triangleDown: ["polygon", { points: "1.5,2.5 16.5,2.5 9,16.5" }],
      diamond: ["polygon", { points: "9,1 17,9 9,17 1,9" }],
      hexagon: ["polygon", { points: "5,2 13,2 17,9 13,16 5,16 1,9" }],
      star: ["polygon", { points: "9,1 11.2,6.5 17,6.8 12.5,10.5 14,16.5 9,13.2 4,16.5 5.5,10.5 1,6.8 6.8,6.5" }],
    };
    const [tag, attrs] = shapes[t.shape] || shapes.dot;
    const shape = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) shape.setAttribute(k, String(v));
    shape.setAttribute("fill", t.fill || t.colour);
    shape.setAttribute("stroke", t.fill ? t.colour : "#333");
    shape.setAttribute("stroke-width", t.fill ? "2" : "1");
    if (t.type === "Stance") shape.setAttribute("stroke-dasharray", "3 2");
    svg.appendChild(shape);
    return svg;
  }
  function filterRow(group, value, count, on, before) {
    const li = el("li"), label = li.appendChild(el("label"));
    const box = label.appendChild(el("input"));
    box.type = "checkbox";
    box.checked = true;
    box.value = value;
    box.dataset.group = group;
    box.addEventListener("change", () => { on.set(value, box.checked); applyFilters(); });
    if (before) label.appendChild(before);
    label.appendChild(el("span", "name", value));
    label.appendChild(el("span", "count", count));
    boxes[group].push(box);
    return li;
  }
  const typeList = document.getElementById("type-filters");
  for (const t of DATA.types) {
    const li = filterRow("types", t.type, t.count, typeOn, swatch(t));
    li.className = "type-filter";
    typeList.appendChild(li);
  }
  const relList = document.getElementById("relation-filters");
  for (const r of DATA.relations) {
    const li = filterRow("relations", r.predicate, r.count, relOn, null);
    li.className = "relation-filter";
    relList.appendChild(li);
  }
  for (const b of document.querySelectorAll(".all-none button")) {
    b.addEventListener("click", () => {
      const on = b.dataset.on === "1", group = b.dataset.group;
      for (const box of boxes[group]) {
        box.checked = on;
        (group === "types" ? typeOn : relOn).set(box.value, on);
      }
      applyFilters();
    });
  }

  // ------------------------------------------------------------------ side panel
  const panel = document.getElementById("panel"), body = document.getElementById("panel-body");
  function nodeButton(id) {
    const b = el("button", "link", clip(nameOf(id), 80));
    b.type = "button";
    b.addEventListener("click", () => focusNode(id));
    return b;
  }
  function provenanceList(prov) {
    const ul = el("ul");
    for (const p of prov) {
      const li = ul.appendChild(el("li"));
      li.appendChild(el("blockquote", null, p.evidence));
      const doc = DATA.documents[p.doc] || {};
      const where = [doc.title || doc.source || p.doc, "chars " + p.start + "–" + p.end,
        "rule " + p.rule, "confidence " + Number(p.confidence).toFixed(2)];
      li.appendChild(el("div", "src", where.join(" · ")));
    }
    return ul;
  }
  function factItem(e) {
    const li = el("li", "fact"), line = li.appendChild(el("div"));
    line.appendChild(nodeButton(e.from));
    line.appendChild(document.createTextNode(" "));
    line.appendChild(el("span", "pred", e.kg.predicate));
    line.appendChild(document.createTextNode(" "));
    line.appendChild(nodeButton(e.to));
    if (!e.kg.stance) {
      li.appendChild(el("span", "conf", "confidence " + e.kg.confidence.toFixed(2)));
      if (e.kg.former) li.appendChild(el("span", "former", " · former (stated in the past)"));
      li.appendChild(provenanceList(e.kg.provenance));
    }
    return li;
  }
  function openPanel(title, kind) {
    body.replaceChildren();
    const badge = body.appendChild(el("span", "type", kind));
    badge.style.background = typeColour.get(kind) || "#555";
    body.appendChild(el("h2", null, title));
    panel.hidden = false;
  }
  function showNode(id) {
    const node = byId.get(id);
    if (!node) return;
    const k = node.kg;
    openPanel(k.name, k.type);
    if (k.type === "Stance") {
      body.appendChild(el("div", "meta", "Polarity: " + k.polarity + (k.verb ? " · verb: " + k.verb : "") +
        (k.confidence != null ? " · confidence " + Number(k.confidence).toFixed(2) : "")));
      const who = body.appendChild(el("div", "meta", "Held by "));
      who.appendChild(nodeButton(k.holder));
      who.appendChild(document.createTextNode(", about "));
      who.appendChild(nodeButton(k.topic));
      body.appendChild(el("h3", null, "Evidence"));
      body.appendChild(provenanceList(k.provenance));
      return;
    }
    if (k.aliases.length) body.appendChild(el("div", "meta", "Also known as: " + k.aliases.join(", ")));
    if (k.wikidata && QID.test(k.wikidata)) {
      const w = body.appendChild(el("div", "meta", "Wikidata: "));
      w.appendChild(wikidataLink(k.wikidata));
    }
    body.appendChild(el("div", "meta", k.mentions + " mention(s) in " + k.docs.length + " document(s)"));
    const facts = incident.get(id).filter((e) => !e.kg.stance);
    const stanceEdges = incident.get(id).filter((e) => e.kg.stance);
    body.appendChild(el("h3", null, "Facts (" + facts.length + ")"));
    const ul = body.appendChild(el("ul"));
    for (const e of facts) ul.appendChild(factItem(e));
    if (!facts.length) body.appendChild(el("div", "meta", "No facts about it yet."));
    if (stanceEdges.length) {
      body.appendChild(el("h3", null, "Stances (" + stanceEdges.length + ")"));
      const su = body.appendChild(el("ul"));
      for (const e of stanceEdges) {
        const stance = byId.get(e.kg.predicate === "about" ? e.from : e.to);
        const li = su.appendChild(el("li", "fact"));
        li.appendChild(nodeButton(stance.id));
        li.appendChild(el("div", "conf", stance.kg.polarity + " · " + nameOf(stance.kg.holder) + " → " + nameOf(stance.kg.topic)));
      }
    }
  }
  function showEdge(edgeId) {
    const e = edgeById.get(edgeId);
    if (!e) return;
    openPanel(e.kg.predicate, "Fact");
    const ul = body.appendChild(el("ul"));
    ul.appendChild(factItem(e));
  }
  document.getElementById("panel-close").addEventListener("click", () => { panel.hidden = true; network.unselectAll(); });
  network.on("click", (params) => {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else panel.hidden = true;
  });

  // ------------------------------------------------------------------ search
  const names = [];
  const datalist = document.getElementById("names");
  const listed = new Set();
  for (const n of DATA.nodes) {
    const kind = n.kg.type === "Stance" ? 1 : 0;
    for (const name of [n.kg.name, ...n.kg.aliases]) {
      names.push({ key: norm(name), id: n.id, kind: kind, weight: n.kg.mentions || 0 });
      if (!kind && !listed.has(name)) {
        listed.add(name);
        const opt = datalist.appendChild(el("option"));
        opt.value = name;
      }
    }
  }
  function find(query) {
    const q = norm(query);
    if (!q) return null;
    const rank = (m) => (m.key === q ? 0 : m.key.startsWith(q) ? 1 : m.key.includes(q) ? 2 : 9);
    let best = null, bestKey = null;
    for (const m of names) {
      const r = rank(m);
      if (r === 9) continue;
      const key = [r, m.kind, -m.weight, m.key.length, m.id];
      if (!bestKey || compare(key, bestKey) < 0) { best = m; bestKey = key; }
    }
    return best && best.id;
  }
  function compare(a, b) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }
  function focusNode(id) {
    const node = byId.get(id);
    if (!typeOn.get(node.kg.type)) {
      // a filtered-out type would leave the camera on an empty spot
      typeOn.set(node.kg.type, true);
      for (const box of boxes.types) if (box.value === node.kg.type) box.checked = true;
      applyFilters();
    }
    network.selectNodes([id]);
    delete document.documentElement.dataset.focused;
    network.once("animationFinished", () => { document.documentElement.dataset.focused = id; });
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: { duration: 450, easingFunction: "easeInOutQuad" } });
    showNode(id);
    setStatus("Found: " + clip(node.kg.name, 60) + " (" + node.kg.type + ")");
  }
  window.kgFocus = focusNode;
  document.getElementById("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const query = document.getElementById("search").value;
    const id = find(query);
    if (id === null) setStatus(query.trim() ? "No entity matches “" + clip(query, 60) + "”" : "Type a name or alias");
    else focusNode(id);
  });
  document.getElementById("fit").addEventListener("click", () => network.fit({ animation: { duration: 400 } }));
})();
