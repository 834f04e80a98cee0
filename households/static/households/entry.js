/* Household entry: the form in tabs, and the member ID checked as it is typed (htmx). */
(function () {
  "use strict";
  if (window.householdEntryReady) { return; }
  window.householdEntryReady = true;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // htmx: the ID check posts only the ID being typed (htmx would send the whole form), with the
  // form's CSRF token; rows added by 添加另一个 are processed too.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-id-check")) {
      var data = event.detail.formData;
      Array.from(new Set(Array.from(data.keys()))).forEach(function (key) {
        if (key !== elt.name) { data.delete(key); }
      });
    }
  });
  document.addEventListener("formset:added", function (event) {
    if (window.htmx) { window.htmx.process(event.target); }
  });
  // A valid ID fills the row's 性别 (the birth date is shown and stored from the ID).
  document.addEventListener("htmx:afterSwap", function (event) {
    var ok = event.detail.target.querySelector(".id-check-ok");
    if (!ok) { return; }
    var row = event.detail.target.closest(".inline-related") || document;
    var sex = row.querySelector("select[name$='-sex']");
    if (sex && ok.dataset.sex) { sex.value = ok.dataset.sex; }
  });

  function buildTabs() {
    var bar = document.getElementById("entry-tabs");
    var config = document.getElementById("entry-tabs-config");
    if (!bar || !config) { return; }
    var tabs = JSON.parse(config.textContent);
    var panes = {};
    tabs.forEach(function (tab) {
      var elements = Array.prototype.slice.call(document.querySelectorAll("fieldset.tab-" + tab.key));
      tab.inlines.forEach(function (prefix) {
        var group = document.getElementById(prefix + "-group");
        if (group) { elements.push(group); }
      });
      (tab.selectors || []).forEach(function (selector) {
        Array.prototype.forEach.call(document.querySelectorAll(selector), function (el) { elements.push(el); });
      });
      if (!elements.length) { return; }
      panes[tab.key] = elements;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "entry-tab";
      button.dataset.tab = tab.key;
      button.textContent = tab.label;
      if (elements.some(function (el) { return el.querySelector(".errorlist, .errors"); })) {
        button.classList.add("has-errors");
        button.title = "此页有需要修改的内容";
      }
      bar.appendChild(button);
    });
    function show(key) {
      Object.keys(panes).forEach(function (k) {
        panes[k].forEach(function (el) { el.style.display = k === key ? "" : "none"; });
      });
      Array.prototype.forEach.call(bar.querySelectorAll(".entry-tab"), function (b) {
        b.classList.toggle("active", b.dataset.tab === key);
      });
    }
    bar.addEventListener("click", function (event) {
      var button = event.target.closest(".entry-tab");
      if (button) { show(button.dataset.tab); }
    });
    var first = bar.querySelector(".entry-tab.has-errors") || bar.querySelector(".entry-tab");
    if (first) { show(first.dataset.tab); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", buildTabs);
  } else {
    buildTabs();
  }
})();
