// The search box in the admin header (templates/admin/index.html): Enter opens the results page in a
// tab of the frame. What was typed is POSTed first, so a full ID number comes back as a token and
// never enters an address; "/" or Ctrl+K anywhere in the frame puts the cursor in the box.
(function () {
  "use strict";
  function csrfToken() {
    var input = document.querySelector("#fupin-search-box input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function open(url) {
    if (window.app && app.openTab) {
      app.openTab({name: "查找", icon: "fas fa-search", url: url, eid: "fupin-search-" + Date.now()});
    } else {
      window.location.href = url;
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "fupin-search-box") return;
    event.preventDefault();
    var input = form.querySelector("input[name=q]");
    var body = new URLSearchParams({q: input.value});
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.url.indexOf("t=") !== -1) input.value = "";  // a full ID number does not stay on screen
      open(data.url);
    });
  }, true);
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if ((event.key === "/" && !typing) || (event.key === "k" && (event.ctrlKey || event.metaKey))) {
      var input = document.querySelector("#fupin-search-box input[name=q]");
      if (!input) return;
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
})();
