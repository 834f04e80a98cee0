// A full ID number typed into an autocomplete (成员 on 医疗救助, …) never goes into a URL: before the
// request leaves, the term is replaced by its masked form (first six, last four), which the server
// matches like the masked value every page shows (core.admin.scoping.PrivacyAdminMixin).
(function () {
  "use strict";
  var FULL = /^\s*(\d{15}|\d{17}[\dXx])\s*$/;

  function masked(term) {
    if (!FULL.test(term)) return term;
    var value = term.trim();
    return value.slice(0, 6) + new Array(value.length - 9).join("*") + value.slice(-4);
  }

  function install() {
    var $ = window.django && window.django.jQuery;
    if (!$ || $.fupinIdAutocomplete) return;
    $.fupinIdAutocomplete = true;
    $.ajaxPrefilter(function (options) {
      if (!options.url || options.url.indexOf("/autocomplete/") === -1) return;
      if (typeof options.data !== "string") return;
      var params = new URLSearchParams(options.data);
      var term = params.get("term");
      if (term && FULL.test(term)) {
        params.set("term", masked(term));
        options.data = params.toString();
      }
    });
  }

  install();
  document.addEventListener("DOMContentLoaded", install);
  window.fupinMaskedTerm = masked;  // for the browser test
})();
