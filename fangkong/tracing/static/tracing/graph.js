// Transmission chains (传播链): the case–contact graph from /api/cases/graph/, drawn with
// Cytoscape.js. Positions come from the server (preset layout), labels hide when zoomed out and
// edges while panning, so that tens of thousands of nodes stay responsive.
(function () {
  "use strict";
  var box = document.getElementById("chain-graph");
  var status = document.getElementById("chain-status");
  var list = document.getElementById("chain-clusters");
  var labels = JSON.parse(document.getElementById("chain-labels").textContent);
  if (!box || typeof cytoscape === "undefined") {
    return;
  }
  var COLOURS = {
    confirmed: "#dc3545",
    asymptomatic: "#fd7e14",
    suspected: "#ffc107",
    close_contact: "#0d6efd",
    secondary_contact: "#6f42c1",
  };
  var layout = box.dataset.layout === "tree" ? "tree" : "timeline";

  function personUrl(id) {
    return box.dataset.personUrl.replace(/0\/$/, id + "/");
  }

  function chainUrl(caseId) {
    return box.dataset.chainUrl + "?case=" + caseId + "&layout=" + layout;
  }

  function showClusters(clusters) {
    list.textContent = "";
    clusters.forEach(function (cluster) {
      var item = document.createElement("li");
      item.textContent = labels.people.replace("%(count)s", cluster.size) + " ";
      if (cluster.earliest) {
        var link = document.createElement("a");
        link.href = chainUrl(cluster.earliest.case);
        link.textContent = labels.earliest + cluster.earliest.name +
          " " + cluster.earliest.day;
        item.appendChild(link);
      }
      list.appendChild(item);
    });
  }

  // The columns of the graph's rows, by name (node_fields, edge_fields).
  function columns(fields) {
    var at = {};
    fields.forEach(function (name, index) { at[name] = index; });
    return at;
  }

  function draw(graph) {
    var n = columns(graph.node_fields);
    var e = columns(graph.edge_fields);
    var x = n[layout + "_x"];
    var y = n[layout + "_y"];
    var elements = graph.nodes.map(function (node) {
      return {
        group: "nodes",
        data: {
          id: String(node[n.id]),
          label: node[n.name],
          colour: COLOURS[node[n.kind]] || "#6c757d",
          person: node[n.id],
        },
        position: { x: node[x], y: node[y] },
      };
    });
    graph.edges.forEach(function (edge, index) {
      elements.push({
        group: "edges",
        data: { id: "e" + index, source: String(edge[e.source]), target: String(edge[e.target]) },
      });
    });
    var chart = cytoscape({
      container: box,
      elements: elements,
      layout: { name: "preset" },
      textureOnViewport: true,
      hideEdgesOnViewport: true,
      motionBlur: false,
      pixelRatio: 1,
      minZoom: 0.02,
      maxZoom: 4,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(colour)",
            label: "data(label)",
            "font-size": 12,
            "min-zoomed-font-size": 10,
            width: 18,
            height: 18,
          },
        },
        {
          selector: "edge",
          style: {
            width: 1,
            "line-color": "#adb5bd",
            "curve-style": "haystack",
          },
        },
      ],
    });
    chart.on("tap", "node", function (event) {
      window.location.href = personUrl(event.target.data("person"));
    });
    box.dataset.state = "ready";
  }

  fetch(box.dataset.api, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(function (graph) {
      status.textContent = labels.summary
        .replace("%(nodes)s", graph.nodes.length)
        .replace("%(edges)s", graph.edges.length) + (graph.truncated ? " " + labels.truncated : "");
      showClusters(graph.clusters);
      draw(graph);
    })
    .catch(function () {
      box.dataset.state = "failed";
      status.textContent = labels.failed;
    });
})();
