// The map of the command view, drawn after the page has rendered (its figures come from
// GET /api/command/map/, so the page itself waits for none of them):
// - the units under mine as tiles (ECharts treemap): the area is the people of a unit, the
//   colour its most urgent state (positive, fever, under a measure); a tile with units below
//   opens them, and a button goes back up;
// - China by city (地市) with the risk areas in force today and my own area, from the
//   outlines of an npm package served by the app (no tile server: see ADR 9).
(function () {
  "use strict";
  var panel = document.getElementById("area-map");
  if (!panel || typeof echarts === "undefined") {
    return;
  }
  var words = JSON.parse(document.getElementById("map-words").textContent);
  var unitsNode = document.getElementById("map-units");
  var chinaNode = document.getElementById("map-china");
  var title = document.getElementById("map-unit");
  var up = document.getElementById("map-up");
  var areasNode = document.getElementById("map-areas");
  var units = echarts.init(unitsNode, null, { renderer: "svg" });
  var china = null;
  var COLORS = { positive: "#dc3545", fever: "#fd7e14", measure: "#ffc107", calm: "#9ec5fe" };
  var LEVELS = { high: "#dc3545", medium: "#fd7e14" };
  var RANK = { high: 2, medium: 1 };

  function state(unit) {
    if (unit.positives) return "positive";
    if (unit.fevers_today || unit.fevers_open) return "fever";
    if (unit.under_measure) return "measure";
    return "calm";
  }

  function figures(unit) {
    return [
      words.people + " " + unit.people,
      words.under_measure + " " + unit.under_measure,
      words.fevers + " " + unit.fevers_today + " / " + unit.fevers_open,
      words.positives + " " + unit.positives,
    ];
  }

  function drawUnits(found) {
    title.textContent = found.unit ? found.unit.name : words.my_units;
    up.hidden = found.parent_id === null;
    up.dataset.unit = found.parent_id === null ? "" : found.parent_id;
    units.setOption({
      animation: false,
      tooltip: {
        formatter: function (item) {
          var unit = item.data && item.data.unit;
          return unit ? echarts.format.encodeHTML(unit.name) + "<br>" + figures(unit).join("<br>") : "";
        },
      },
      series: [{
        type: "treemap",
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        width: "100%", height: "100%", top: 0, left: 0,
        label: {
          formatter: function (item) {
            var unit = item.data && item.data.unit;
            return unit ? unit.name + "\n" + figures(unit).slice(0, 2).join(" · ") : item.name;
          },
          overflow: "break",
          color: "#212529",
        },
        itemStyle: { borderColor: "#fff", borderWidth: 2, gapWidth: 2 },
        data: found.units.map(function (unit) {
          return {
            name: unit.name,
            value: Math.max(unit.people, 1),
            unit: unit,
            itemStyle: { color: COLORS[state(unit)] },
          };
        }),
      }],
    }, true);
    unitsNode.setAttribute("aria-label", found.units.map(function (unit) {
      return unit.name + " " + figures(unit).join(" ");
    }).join("；"));
  }

  function drawAreas(found) {
    areasNode.textContent = "";
    if (!found.risk_areas.length) {
      areasNode.textContent = words.no_risk_area;
    }
    found.risk_areas.forEach(function (area) {
      var badge = document.createElement("span");
      badge.className = "badge border text-wrap me-1 mb-1 " +
        (area.level === "high" ? "text-bg-danger" : area.level === "medium" ? "text-bg-warning" : "text-bg-light");
      badge.textContent = area.name + " · " + area.label;
      badge.dataset.testid = "map-risk-area";
      areasNode.appendChild(badge);
    });
    if (found.risk_area_count > found.risk_areas.length) {
      areasNode.appendChild(document.createTextNode("… " + found.risk_area_count));
    }
  }

  // The city (地市) feature of a region code, or its province for the municipalities.
  function feature(byId, code) {
    return byId[code.slice(0, 4) + "00"] || byId[code.slice(0, 2) + "0000"];
  }

  function drawChina(found) {
    var map = echarts.getMap("china-cities");
    if (!map) return;
    var byId = {};
    (map.geoJSON || map.geoJson).features.forEach(function (f) { byId[f.id] = f.properties.name; });
    var cities = {};
    found.risk_cities.forEach(function (city) {
      var name = feature(byId, city.region);
      if (!name) return;
      var shown = cities[name] || (cities[name] = { name: name, value: 0, areas: [], level: "" });
      shown.value += city.areas;
      shown.areas.push(city.label + " × " + city.areas);
      if ((RANK[city.level] || 0) >= (RANK[shown.level] || 0)) shown.level = city.level;
    });
    var data = Object.keys(cities).map(function (name) {
      var city = cities[name];
      return { name: name, value: city.value, areas: city.areas,
        itemStyle: { areaColor: LEVELS[city.level] || "#ffe69c" } };
    });
    var home = found.region ? feature(byId, found.region) : null;
    if (home && !cities[home]) {
      data.push({ name: home, value: 0, areas: [words.my_area], itemStyle: { areaColor: "#0d6efd" } });
    }
    china = china || echarts.init(chinaNode, null, { renderer: "svg" });
    china.setOption({
      animation: false,
      tooltip: {
        formatter: function (item) {
          var lines = item.data ? item.data.areas : [];
          return echarts.format.encodeHTML([item.name].concat(lines).join("\n")).replace(/\n/g, "<br>");
        },
      },
      series: [{
        type: "map",
        map: "china-cities",
        roam: true,
        selectedMode: false,
        emphasis: { label: { show: false } },
        itemStyle: { areaColor: "#f8f9fa", borderColor: "#adb5bd", borderWidth: 0.3 },
        data: data,
      }],
    });
  }

  function load(unitId) {
    var url = panel.dataset.api + (unitId ? "?unit=" + encodeURIComponent(unitId) : "");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (found) {
        panel.dataset.state = "ready";
        drawUnits(found);
        return found;
      })
      .catch(function () {
        panel.dataset.state = "failed";
        title.textContent = words.failed;
      });
  }

  units.on("click", function (item) {
    var unit = item.data && item.data.unit;
    if (unit && unit.children) load(unit.unit_id);
  });
  up.addEventListener("click", function () { load(up.dataset.unit); });

  load("").then(function (found) {
    if (!found) return;
    drawAreas(found);
    // The outlines (1.2 MB) load once the tiles are drawn, and only here.
    var script = document.createElement("script");
    script.src = panel.dataset.outlines;
    script.onload = function () { drawChina(found); };
    document.body.appendChild(script);
  });
  window.addEventListener("resize", function () {
    units.resize();
    if (china) china.resize();
  });
})();
