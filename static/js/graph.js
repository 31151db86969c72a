// The interactive systems graph (Cytoscape.js): nodes placed in the AcciMap's rows by the
// server, pan and zoom, a side panel with a node's details, evidence and analysis, filters by
// type, level and key practice episode, and highlighting of what lies upstream or downstream.
// Every piece of text goes into the page through textContent, never as HTML.
import cytoscape from "../vendor/cytoscape/cytoscape.esm.min.js";

const app = document.getElementById("graph-app");

const el = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
};

const SHAPES = { box: "rectangle", ellipse: "ellipse", note: "cut-rectangle", box3d: "rectangle" };

function styles() {
  return [
    {
      selector: "node",
      style: {
        shape: (n) => SHAPES[n.data("shape")] || "rectangle",
        "background-color": "data(fill)",
        "border-color": "data(colour)",
        "border-width": (n) => (n.data("type") === "active_failure" ? 4 : 2),
        "border-style": (n) => (n.data("type") === "protective" || n.data("type") === "not_appraised" ? "dashed" : n.data("type") === "context" ? "dotted" : "solid"),
        label: "data(caption)",
        "text-wrap": "wrap",
        "text-max-width": 150,
        "text-valign": "center",
        "font-size": 10,
        "font-family": "arial, sans-serif",
        color: "#0b0c0c",
        width: 170,
        height: 74,
      },
    },
    { selector: 'node[type = "latent_condition"]', style: { shape: "round-rectangle" } },
    {
      selector: "node.row-label",
      style: {
        "background-opacity": 0, "border-width": 0, "font-size": 16, "font-weight": "bold",
        "text-halign": "center", width: 150, events: "no",
      },
    },
    {
      selector: "edge",
      style: {
        width: (e) => ({ high: 3, medium: 2, low: 1 })[e.data("confidence")] || 1.5,
        "line-color": "#505a5f",
        "target-arrow-color": "#505a5f",
        "target-arrow-shape": "triangle",
        "curve-style": "bezier",
      },
    },
    {
      selector: 'edge[relation = "mitigated"]',
      style: { "line-style": "dashed", "line-color": "#009E73", "target-arrow-color": "#009E73", "target-arrow-shape": "tee" },
    },
    { selector: ".faded", style: { opacity: 0.15 } },
    { selector: "node.upstream, node.downstream", style: { "border-width": 5, "border-color": "#0b0c0c" } },
    { selector: "edge.upstream, edge.downstream", style: { "line-color": "#0b0c0c", "target-arrow-color": "#0b0c0c", width: 3 } },
    { selector: "node:selected", style: { "overlay-color": "#ffdd00", "overlay-opacity": 0.5, "overlay-padding": 6 } },
    { selector: ".hidden", style: { display: "none" } },
  ];
}

function elements(data) {
  const left = Math.min(...data.nodes.map((n) => n.x), 0) - 260;
  const rows = data.rows.map((row) => ({
    group: "nodes",
    data: { id: `row:${row.key}`, caption: row.key === "events" ? row.label : `${row.label} level` },
    position: { x: left, y: row.y },
    classes: "row-label",
    selectable: false,
    grabbable: false,
  }));
  const nodes = data.nodes.map((n) => ({
    group: "nodes",
    data: { ...n, caption: `${n.marker ? n.marker + " · " : ""}${n.id}${n.date ? " · " + n.date : ""}\n${n.label.length > 90 ? n.label.slice(0, 89) + "…" : n.label}` },
    position: { x: n.x, y: n.y },
    grabbable: false,
  }));
  const edges = data.edges.map((e) => ({ group: "edges", data: e }));
  return [...rows, ...nodes, ...edges];
}

function definitionList(pairs) {
  const list = el("dl", null, "govuk-summary-list govuk-summary-list--no-border lr-graph-details");
  for (const [key, value] of pairs) {
    if (value === "" || value === null || value === undefined || (Array.isArray(value) && !value.length)) continue;
    const row = el("div", null, "govuk-summary-list__row");
    row.append(el("dt", key, "govuk-summary-list__key"));
    const dd = el("dd", null, "govuk-summary-list__value");
    if (Array.isArray(value)) {
      const ul = el("ul", null, "govuk-list");
      value.forEach((v) => ul.append(el("li", v)));
      dd.append(ul);
    } else {
      dd.textContent = value;
    }
    row.append(dd);
    list.append(row);
  }
  return list;
}

const READABLE_ZOOM = 0.45; // below this a node's label is a few pixels high

function start(data) {
  const status = document.getElementById("graph-status");
  const details = document.getElementById("graph-details");
  const analysis = data.analysis;
  const cy = cytoscape({
    container: document.getElementById("graph-canvas"),
    elements: elements(data),
    style: styles(),
    layout: { name: "preset", fit: true, padding: 30 },
    minZoom: 0.05,
    maxZoom: 3,
    wheelSensitivity: 0.3,
    boxSelectionEnabled: false,
    autoungrabify: true,
  });
  const name = (ref) => {
    const node = cy.getElementById(ref);
    return node.nonempty() && node.data("label") ? `${ref}: ${node.data("label")}` : ref;
  };
  const clearHighlight = () => cy.elements().removeClass("faded upstream downstream");
  const highlight = (node, direction) => {
    clearHighlight();
    const reached = direction === "upstream" ? node.predecessors() : node.successors();
    cy.elements().not(reached).not(node).not(".row-label").addClass("faded");
    reached.addClass(direction);
    const count = reached.nodes().length;
    status.textContent = direction === "upstream"
      ? `${count} ${count === 1 ? "node lies" : "nodes lie"} behind ${node.id()}.`
      : `${node.id()} led to ${count} ${count === 1 ? "node" : "nodes"}.`;
  };

  const show = (node) => {
    const d = node.data();
    details.replaceChildren();
    const heading = el("h4", `${d.id}: ${d.label}`, "govuk-heading-s");
    heading.id = "graph-selected";
    details.append(heading);
    const reach = analysis.reach[d.id];
    const rank = analysis.leverage_rank[d.id];
    details.append(
      definitionList([
        ["Type", d.kind_label],
        ["Row", d.row === "events" ? "Events" : `${data.levels[d.level] || d.level} level`],
        ["Date", d.date],
        ["Agency", d.agency],
        ["Key practice episode", d.kpe ? `${d.kpe}: ${data.kpes[d.kpe] || ""}` : ""],
        ["Description", d.description],
        ["Evidence", d.evidence.map((e) => [e.source, e.event, e.account].filter(Boolean).join(", "))],
        ["Behind it", node.incomers("edge").map((e) => `${name(e.source().id())} (${e.data("relation_label")})`)],
        ["Led to", node.outgoers("edge").map((e) => `${e.data("relation_label")} ${name(e.target().id())}`)],
        ["Leverage", rank ? `Ranked ${rank} of ${analysis.leverage.length} latent conditions` : ""],
        ["Reach: active failures", reach ? reach.active_failures.map(name) : []],
        ["Reach: events", reach ? reach.events.map(name) : []],
        ["Latent conditions lined up behind it", (analysis.alignment[d.id] || []).map(name)],
        ["Levels lined up", (analysis.alignment_levels[d.id] || []).join(", ")],
        ["Events it touches", d.kind === "factor" ? (analysis.touches[d.id] || []).map(name) : []],
        ["Checks", analysis.checks_by_ref[d.id] || []],
      ]),
    );
    const buttons = el("div", null, "govuk-button-group");
    const addButton = (text, action) => {
      const button = el("button", text, "govuk-button govuk-button--secondary");
      button.type = "button";
      button.addEventListener("click", action);
      buttons.append(button);
    };
    addButton("Highlight what lay behind it", () => highlight(node, "upstream"));
    addButton("Highlight what it led to", () => highlight(node, "downstream"));
    addButton("Clear highlight", () => { clearHighlight(); status.textContent = "Highlight cleared."; });
    details.append(buttons);
    const link = el("a", `Open ${d.id}`, "govuk-link");
    link.href = d.url;
    const open = el("p", null, "govuk-body-s");
    open.append(link);
    details.append(open);
    status.textContent = `Selected ${d.id}.`;
  };

  cy.on("tap", "node", (event) => {
    if (!event.target.hasClass("row-label")) show(event.target);
  });

  const filter = () => {
    const types = new Set([...app.querySelectorAll('[data-filter="type"]:checked')].map((i) => i.value));
    const levels = new Set([...app.querySelectorAll('[data-filter="level"]:checked')].map((i) => i.value));
    const kpe = document.getElementById("show-kpe").value;
    let inKpe = null;
    if (kpe) {
      const roots = cy.nodes().filter((n) => n.data("kind") === "event" && n.data("kpe") === kpe);
      inKpe = roots.union(roots.predecessors().nodes());
    }
    cy.batch(() => {
      cy.nodes().not(".row-label").forEach((n) => {
        const d = n.data();
        const typeShown = d.kind === "event" ? types.has("event") : types.has(d.type);
        const levelShown = d.kind === "event" || levels.has(d.level);
        const kpeShown = !inKpe || inKpe.contains(n);
        n.toggleClass("hidden", !(typeShown && levelShown && kpeShown));
      });
    });
    const visible = cy.nodes().not(".row-label").not(".hidden");
    clearHighlight(); // a highlight drawn on the old selection would fade most of the new one
    const selected = document.getElementById("graph-selected");
    if (selected && visible.filter((n) => selected.textContent.startsWith(`${n.id()}: `)).empty()) {
      details.replaceChildren(); // what was selected is filtered out
    }
    if (visible.nonempty()) cy.fit(visible, 30); // frame what is left, so a small subset is readable
    status.textContent = `Showing ${visible.length} of ${cy.nodes().not(".row-label").length} factors and events.`;
  };
  app.querySelectorAll("[data-filter]").forEach((input) => input.addEventListener("change", filter));
  document.getElementById("show-kpe").addEventListener("change", filter);

  const zoomBy = (factor) => cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  const actions = { "zoom-in": () => zoomBy(1.25), "zoom-out": () => zoomBy(0.8), fit: () => cy.fit(undefined, 30) };
  app.querySelectorAll("[data-graph-action]").forEach((button) => {
    button.addEventListener("click", () => actions[button.dataset.graphAction]());
  });
  const total = cy.nodes().not(".row-label").length;
  if (total === 0) {
    status.textContent = "Nothing to draw yet: add factors and link them to events on the Factors page.";
  } else {
    const small = cy.zoom() < READABLE_ZOOM ? " The whole review is shown small: zoom in, or choose a key practice episode, to read the labels." : "";
    status.textContent = `${total} factors and events. Select one to see its details.${small}`;
  }
  app.cytoscape = cy; // for scripted checks: the browser tests click nodes where it drew them
  app.dataset.ready = "true";
  return cy;
}

if (app) {
  fetch(app.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(`The graph could not be loaded (${response.status})`);
      return response.json();
    })
    .then(start)
    .catch((error) => {
      document.getElementById("graph-status").textContent = `${error.message}. The table below has the same information.`;
    });
}
