// Pickers (core/picker.html): typing part of a name or a code asks the picker's JSON endpoint
// (?q=) and lists what it answers; choosing a row puts its value in the hidden input that the
// form posts and its name in the text input. Typing again forgets the choice, so that what is
// posted is always what is shown. A file rather than inline handlers, for a strict CSP.
(function () {
  "use strict";
  var DELAY_MS = 200;

  function setUp(picker) {
    var text = picker.querySelector("input[type=text]");
    var value = picker.querySelector("[data-picker-value]");
    var list = picker.querySelector(".fk-picker-results");
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      text.setAttribute("aria-expanded", "false");
    }

    function choose(row) {
      value.value = row.value;
      text.value = row.label;
      close();
      value.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(rows, more) {
      list.replaceChildren();
      rows.forEach(function (row) {
        var button = document.createElement("button");
        button.type = "button";
        button.setAttribute("role", "option");
        button.className = "list-group-item list-group-item-action text-wrap";
        var name = document.createElement("span");
        name.textContent = row.label;
        button.appendChild(name);
        if (row.detail) {
          var detail = document.createElement("small");
          detail.className = "text-muted ms-2";
          detail.textContent = row.detail;
          button.appendChild(detail);
        }
        button.addEventListener("click", function () { choose(row); text.focus(); });
        list.appendChild(button);
      });
      if (!rows.length || more) {
        var note = document.createElement("div");
        note.className = "list-group-item small text-muted";
        note.textContent = rows.length ? picker.dataset.more || "…" : picker.dataset.none || "—";
        list.appendChild(note);
      }
      list.hidden = false;
      text.setAttribute("aria-expanded", "true");
    }

    function ask() {
      var query = text.value.trim();
      if (!query) { close(); return; }
      var mine = ++asked;
      var url = picker.dataset.picker + (picker.dataset.picker.indexOf("?") < 0 ? "?" : "&") +
        "q=" + encodeURIComponent(query);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (answer) { if (mine === asked) show(answer.results, answer.more); })
        .catch(close);
    }

    text.addEventListener("input", function () {
      value.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    text.addEventListener("keydown", function (event) {
      var options = list.querySelectorAll("button");
      if (event.key === "Escape") { close(); }
      if (event.key === "ArrowDown" && options.length) { event.preventDefault(); options[0].focus(); }
    });
    list.addEventListener("keydown", function (event) {
      var current = document.activeElement;
      if (event.key === "ArrowDown" && current.nextElementSibling) { event.preventDefault(); current.nextElementSibling.focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (current.previousElementSibling || text).focus(); }
      if (event.key === "Escape") { close(); text.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!picker.contains(event.target)) close();
    });
  }

  document.querySelectorAll("[data-picker]").forEach(setUp);
})();
