/* Bridgemap graph page.
 *
 * Reads the graph from the JSON data island <script type="application/json"
 * id="bridgemap-data">, draws it with vis-network and builds the legend and the
 * silo / relationship-kind filters. Every piece of user text reaches the DOM through
 * textContent, or through vis-network, which draws labels on the canvas and puts
 * string tooltips in with innerText: nothing here parses user text as HTML.
 *
 * window.bridgemapReady becomes true after the first complete drawing (the layout is
 * computed on the server and physics is off, so the first drawing is the stable one);
 * window.bridgemapError holds a message if the page could not draw.
 */
(function () {
  "use strict";

  window.bridgemapReady = false;

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function markReady() {
    if (window.bridgemapReady) return;
    window.bridgemapReady = true;
    window.bridgemapReadyAt = performance.now();
    document.documentElement.setAttribute("data-bridgemap-ready", "true");
  }

  // The page's words in the reader's language (data.strings, made by
  // visualisations.i18n.browser_strings): {name} placeholders; English until read.
  var STRINGS = {};

  function t(key, english, values) {
    var text = STRINGS[key] || english;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  var KIND_LABELS = {};

  function fail(message) {
    window.bridgemapError = message;
    var status = document.getElementById("bridgemap-status");
    if (status) {
      status.textContent = message;
      status.hidden = false;
    }
    document.documentElement.setAttribute("data-bridgemap-error", "true");
  }

  function fmt(n) {
    return Number(n).toLocaleString(document.documentElement.lang || "en-GB");
  }

  function humanKind(kind) {
    return KIND_LABELS[kind] || String(kind).replace(/_/g, " ");
  }

  function edgeTitle(edge, nodeById) {
    var a = nodeById[edge.from], b = nodeById[edge.to];
    var lines = [(a ? a.label : "?") + " \u2014 " + (b ? b.label : "?")];
    if (edge.kinds && edge.kinds.length) {
      var line = edge.kinds.map(humanKind).join(", ");
      if (edge.strength) {
        line = t("strength", "{kinds} \u00b7 strength {strength}", {
          kinds: line, strength: edge.strength,
        });
      }
      lines.push(line);
    }
    if (edge.cross && a && b) {
      lines.push(t("crosses", "crosses silos: {a} \u2194 {b}", { a: a.silo, b: b.silo }));
    }
    if (edge.bridge) {
      lines.push(t("bridge", "bridge: the only link between two parts of the map"));
    }
    return lines.join("\n");
  }

  /* A kind's key: a short line in its colour and its dash pattern (as drawn), painted
     with a repeating gradient (no SVG element: the page holds none of its own). */
  function kindLine(colour, dashes) {
    var span = el("span", "bm-swatch-line");
    var c = colour || "#9aa3ad";
    var parts = dashes ? dashes.split(" ").map(Number) : [];
    span.setAttribute("data-dashes", dashes || "");
    if (!parts.length) {
      span.style.backgroundColor = c;
      return span;
    }
    var stops = [], at = 0;
    parts.forEach(function (len, i) {
      var paint = i % 2 === 0 ? c : "transparent";
      stops.push(paint + " " + at + "px " + (at + len) + "px");
      at += len;
    });
    span.style.backgroundImage = "repeating-linear-gradient(to right, " + stops.join(", ") + ")";
    return span;
  }

  function legendRow(list, item, kind, onToggle) {
    var row = el("label", "bm-row");
    var box = null;
    if (onToggle) {
      box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.value = item.name;
      box.setAttribute("data-filter", kind);
      box.addEventListener("change", onToggle);
      row.appendChild(box);
    }
    var swatch;
    if (kind === "kind" && typeof item.dashes === "string") {
      swatch = kindLine(item.colour, item.dashes);
    } else {
      swatch = el("span", "bm-swatch bm-swatch-" + kind);
      if (item.colour) {
        if (kind === "kind") swatch.style.borderTopColor = item.colour;
        else swatch.style.backgroundColor = item.colour;
      }
    }
    row.appendChild(swatch);
    row.appendChild(el("span", "bm-name", item.label));
    if (item.count !== undefined) row.appendChild(el("span", "bm-count", fmt(item.count)));
    list.appendChild(row);
    return box;
  }

  function setAll(list, checked, onToggle) {
    var boxes = list.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = checked;
    onToggle();
  }

  function buildFilter(section, items, kind, onToggle) {
    var list = section.querySelector(".bm-list");
    var boxes = [];
    items.forEach(function (item) {
      boxes.push(legendRow(list, item, kind, onToggle));
    });
    var all = section.querySelector("[data-action=all]");
    var none = section.querySelector("[data-action=none]");
    if (all) all.addEventListener("click", function () { setAll(list, true, onToggle); });
    if (none) none.addEventListener("click", function () { setAll(list, false, onToggle); });
    section.hidden = false;
    return boxes;
  }

  function checkedValues(boxes) {
    var on = {};
    boxes.forEach(function (box) {
      if (box && box.checked) on[box.value] = true;
    });
    return on;
  }

  // Search and the side panel -------------------------------------------------------

  // The same folding as graph_models.text.fold for what people type: accents dropped
  // (NFKD, combining marks removed), case folded. Node keys come folded by the server.
  function fold(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }

  function fillList(list, items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (text) { list.appendChild(el("li", null, text)); });
  }

  // The panel of node `id`: who they are, figures in plain words, ties by silo, links.
  function showPanel(api, id, data) {
    var node = api.nodes.get(id);
    var box = document.getElementById("bridgemap-detail");
    if (!node || !node.panel || !box) return;
    var p = node.panel;
    document.getElementById("bridgemap-detail-name").textContent = p.name;
    fillList(document.getElementById("bridgemap-detail-facts"), p.facts || []);
    fillList(document.getElementById("bridgemap-detail-figures"), p.figures || []);
    var ties = (p.ties || []).map(function (row) {
      return t("tie_count", "{silo}: {count}", { silo: row[0], count: fmt(row[1]) });
    });
    fillList(document.getElementById("bridgemap-detail-ties"),
      ties.length ? ties : [t("no_ties", "No ties in this drawing.")]);
    document.getElementById("bridgemap-detail-note").textContent = data.panel_note || "";
    var links = { web: "bridgemap-detail-web", edit_url: "bridgemap-detail-edit" };
    Object.keys(links).forEach(function (field) {
      var a = document.getElementById(links[field]);
      if (p[field]) { a.href = p[field]; a.hidden = false; }
      else { a.removeAttribute("href"); a.hidden = true; }
    });
    box.hidden = false;
    box.setAttribute("data-node", String(id));
    api.network.selectNodes([id]);
    api.network.focus(id, { scale: Math.max(api.network.getScale(), 1.1), animation: false });
    var items = document.querySelectorAll("#bridgemap-nodes button");
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute("data-node") === String(id)) {
        items[i].setAttribute("aria-current", "true");
      } else {
        items[i].removeAttribute("aria-current");
      }
    }
    document.getElementById("bridgemap-detail-name").focus();
  }

  function setUpPanel(api, data, nodes) {
    var list = document.getElementById("bridgemap-nodes");
    var search = document.getElementById("bridgemap-search");
    var found = document.getElementById("bridgemap-found");
    var box = document.getElementById("bridgemap-detail");
    if (!list || !search) return;
    var listBox = document.getElementById("bridgemap-list-box");
    var legendBox = document.getElementById("bridgemap-legend");
    if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) {
      if (listBox) listBox.open = false;   // a phone shows the graph first
      if (legendBox) legendBox.open = false;
    }
    var rows = nodes.get().slice().sort(function (a, b) {
      return String(a.label).localeCompare(String(b.label));
    });
    var lastButton = null;
    rows.forEach(function (n) {
      var item = el("li");
      var button = el("button", "bm-node", n.label);
      button.type = "button";
      button.setAttribute("data-node", String(n.id));
      button.setAttribute("data-key", (n.panel && n.panel.key) || fold(n.label));
      var dot = el("span", "bm-swatch bm-swatch-silo" + (n.shape === "square" ? " bm-square" : ""));
      var colour = n.color && n.color.background;
      if (!colour && data.options.groups && data.options.groups[n.group]) {
        colour = (data.options.groups[n.group].color || {}).background;
      }
      if (colour) dot.style.backgroundColor = colour;
      button.insertBefore(dot, button.firstChild);
      button.addEventListener("click", function () {
        lastButton = button;
        if (n.panel && box) showPanel(api, n.id, data);
        else {
          api.network.selectNodes([n.id]);
          api.network.focus(n.id, { scale: 1.2, animation: false });
        }
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    function filter() {
      var q = fold(search.value).trim();
      var buttons = list.querySelectorAll("button");
      var shown = 0, first = null;
      for (var i = 0; i < buttons.length; i++) {
        var match = !q || buttons[i].getAttribute("data-key").indexOf(q) !== -1;
        buttons[i].parentNode.hidden = !match;
        if (match) { shown += 1; if (!first) first = buttons[i]; }
      }
      if (q && listBox) listBox.open = true;
      found.textContent = !q ? "" : shown ? t("found", "{found} of {all} match.", {
        found: fmt(shown), all: fmt(buttons.length),
      }) : t("nobody", "Nobody in this drawing matches that name.");
      if (q && first) {
        var id = Number(first.getAttribute("data-node"));
        api.network.selectNodes([id]);
        api.network.focus(id, { scale: Math.max(api.network.getScale(), 1.1), animation: false });
      }
      return first;
    }
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var first = filter();
      if (first) first.click();
    });
    api.search = function (text) { search.value = text; return filter(); };
    api.showPanel = function (id) { showPanel(api, id, data); };
    api.network.on("click", function (params) {
      if (params.nodes && params.nodes.length && box) {
        lastButton = list.querySelector('button[data-node="' + params.nodes[0] + '"]');
        showPanel(api, params.nodes[0], data);
      }
    });
    var close = document.getElementById("bridgemap-detail-close");
    if (close) {
      close.addEventListener("click", function () {
        box.hidden = true;
        api.network.unselectAll();
        (lastButton || search).focus();
      });
    }
    if (box) {
      box.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && close) close.click();
      });
    }
  }

  onReady(function () {
    var island = document.getElementById("bridgemap-data");
    var data;
    try {
      data = JSON.parse(island.textContent);
    } catch (err) {
      fail(t("unreadable", "The map data could not be read."));
      return;
    }
    STRINGS = data.strings || {};
    var api = { data: data };
    window.bridgemap = api;

    var legend = data.legend || {};
    (legend.kinds || []).forEach(function (k) { KIND_LABELS[k.name] = k.label; });
    var nodeById = {};
    data.nodes.forEach(function (n) { nodeById[n.id] = n; });
    data.edges.forEach(function (e) {
      if (e.title === undefined) e.title = edgeTitle(e, nodeById);
    });

    var container = document.getElementById("bridgemap-graph");
    if (!data.nodes.length) {
      markReady();
      return;
    }
    if (typeof vis === "undefined" || !vis.Network) {
      fail(t("no_library", "The drawing library did not load, so the map cannot be drawn."));
      return;
    }

    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    api.nodes = nodes;
    api.edges = edges;

    var siloBoxes = [], kindBoxes = [];
    function applyFilters() {
      var silosOn = checkedValues(siloBoxes);
      var kindsOn = checkedValues(kindBoxes);
      var useSilo = siloBoxes.length > 0, useKind = kindBoxes.length > 0;
      var hiddenNode = {};
      var nodeUpdates = [];
      nodes.forEach(function (n) {
        var hide = useSilo && !silosOn[n.silo];
        hiddenNode[n.id] = hide;
        if (!!n.hidden !== hide) nodeUpdates.push({ id: n.id, hidden: hide });
      });
      var edgeUpdates = [];
      edges.forEach(function (e) {
        var kindOk = !useKind || !e.kinds || e.kinds.some(function (k) { return kindsOn[k]; });
        var hide = !kindOk || hiddenNode[e.from] || hiddenNode[e.to];
        if (!!e.hidden !== hide) edgeUpdates.push({ id: e.id, hidden: hide });
      });
      if (nodeUpdates.length) nodes.update(nodeUpdates);
      if (edgeUpdates.length) edges.update(edgeUpdates);
      var counts = api.visibleCounts();
      var status = document.getElementById("bridgemap-visible");
      if (status) {
        status.textContent = t("showing",
          "Showing {nodes} of {all_nodes} nodes and {ties} of {all_ties} ties.", {
            nodes: fmt(counts.nodes), all_nodes: fmt(nodes.length),
            ties: fmt(counts.edges), all_ties: fmt(edges.length),
          });
      }
    }
    api.applyFilters = applyFilters;
    api.visibleCounts = function () {
      return {
        nodes: nodes.get({ filter: function (n) { return !n.hidden; } }).length,
        edges: edges.get({ filter: function (e) { return !e.hidden; } }).length,
      };
    };

    var siloSection = document.getElementById("bridgemap-silos");
    if (siloSection && legend.silos && legend.silos.length) {
      siloBoxes = buildFilter(siloSection, legend.silos, "silo",
        legend.silo_filter ? applyFilters : null);
      if (!legend.silo_filter) siloBoxes = [];
    }
    var kindSection = document.getElementById("bridgemap-kinds");
    if (kindSection && legend.kinds && legend.kinds.length) {
      kindBoxes = buildFilter(kindSection, legend.kinds, "kind", applyFilters);
    }

    var network;
    try {
      network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
    } catch (err) {
      fail(t("not_drawn", "The map could not be drawn."));
      return;
    }
    api.network = network;
    network.once("afterDrawing", function () {
      markReady();
    });
    network.fit({ animation: false });
    applyFilters();

    setUpPanel(api, data, nodes);

    var fitButton = document.getElementById("bridgemap-fit");
    if (fitButton) {
      fitButton.addEventListener("click", function () {
        network.fit({ animation: { duration: 300 } });
      });
    }
  });
})();
