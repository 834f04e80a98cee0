// Keyboard use of the search results (households/search.html): ↑/↓ move between results, "/" (or
// Ctrl+K) returns to the box. Enter on a result opens it (a plain link).
(function () {
  "use strict";
  function hits() { return Array.prototype.slice.call(document.querySelectorAll("a.search-hit")); }
  function box() { return document.getElementById("search-q"); }
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if ((event.key === "/" && !typing) || (event.key === "k" && (event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      box().focus();
      box().select();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var list = hits();
    if (!list.length) return;
    var at = list.indexOf(document.activeElement);
    var next = event.key === "ArrowDown" ? at + 1 : at - 1;
    if (at === -1 && event.key === "ArrowUp") return;
    event.preventDefault();
    if (next < 0) { box().focus(); return; }
    list[Math.min(next, list.length - 1)].focus();
  });
})();
