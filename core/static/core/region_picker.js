/* Cascading region picker: one <select> per level below the user's own region, filled on demand from
   /households/regions/children/, plus a name search. Vanilla JS; the server answers only in scope. */
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  function init(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var childrenUrl = root.dataset.childrenUrl;
    var searchUrl = root.dataset.searchUrl;
    var target = parseInt(root.dataset.level, 10);
    var hidden = root.querySelector("input[type=hidden]");
    var current = root.querySelector(".region-picker-current b");
    var selects = root.querySelector(".region-picker-selects");
    var search = root.querySelector(".region-picker-search");
    var results = root.querySelector(".region-picker-results");

    function choose(code, label) {
      hidden.value = code;
      current.textContent = label;
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function addSelect(parent, depth, autoPick) {
      var url = childrenUrl + "?parent=" + encodeURIComponent(parent || "");
      return getJSON(url).then(function (data) {
        while (selects.children.length > depth) selects.removeChild(selects.lastChild);
        var rows = data.results;
        if (!rows.length) return;
        var select = document.createElement("select");
        select.setAttribute("aria-label", rows[0].level_label);
        var blank = document.createElement("option");
        blank.value = "";
        blank.textContent = "请选择" + rows[0].level_label;
        select.appendChild(blank);
        rows.forEach(function (row) {
          var option = document.createElement("option");
          option.value = row.code;
          option.textContent = row.name;
          option.dataset.level = row.level;
          select.appendChild(option);
        });
        select.addEventListener("change", function () {
          var picked = select.options[select.selectedIndex];
          while (selects.children.length > depth + 1) selects.removeChild(selects.lastChild);
          if (!picked.value) return;
          if (parseInt(picked.dataset.level, 10) >= target) {
            var names = Array.prototype.map.call(selects.children, function (s) {
              return s.value ? s.options[s.selectedIndex].textContent : "";
            });
            choose(picked.value, names.filter(Boolean).join(" / "));
          } else {
            addSelect(picked.value, depth + 1, false);
          }
        });
        selects.appendChild(select);
        // A user whose scope is one region starts inside it (a clerk's own village, a township's own township).
        if (autoPick && rows.length === 1) {
          select.value = rows[0].code;
          if (rows[0].level >= target) {
            if (!hidden.value) choose(rows[0].code, rows[0].name);
          } else {
            addSelect(rows[0].code, depth + 1, true);
          }
        }
      });
    }

    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var term = search.value.trim();
      if (!term) {
        results.innerHTML = "";
        return;
      }
      timer = setTimeout(function () {
        getJSON(searchUrl + "?level=" + target + "&q=" + encodeURIComponent(term)).then(function (data) {
          results.innerHTML = "";
          if (!data.results.length) {
            var none = document.createElement("li");
            none.className = "empty";
            none.textContent = "管辖范围内没有匹配的村";
            results.appendChild(none);
          }
          data.results.forEach(function (row) {
            var item = document.createElement("li");
            item.textContent = row.path + "（" + row.code + "）";
            item.tabIndex = 0;
            item.addEventListener("click", function () {
              choose(row.code, row.path);
              results.innerHTML = "";
              search.value = "";
            });
            results.appendChild(item);
          });
        });
      }, 250);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // do not submit the household form
    });

    addSelect("", 0, true);
  }

  function initAll() {
    document.querySelectorAll(".region-picker").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
