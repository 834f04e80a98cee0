// A full ID number typed into a changelist search never goes into the address bar (nor any access
// log): it is POSTed to ./id-search/, which keeps it in the session and opens the list by a token.
(function () {
  "use strict";
  var ID_LIKE = /^\s*(\d{15}|\d{17}[\dXx])\s*$/;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function postSearch(value) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = window.location.pathname.replace(/\/?$/, "/") + "id-search/" + window.location.search
      .replace(/([?&])(q|_idq|p)=[^&]*/g, "$1").replace(/[?&]+$/, "");
    [["csrfmiddlewaretoken", csrfToken()], ["q", value.trim()]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    HTMLFormElement.prototype.submit.call(form);
  }

  function idTerm(form) {
    if (!form || form.id !== "changelist-search") return null;
    var input = form.querySelector("input[name=q]");
    return input && ID_LIKE.test(input.value) ? input.value : null;
  }

  var nativeSubmit = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function () {
    var term = idTerm(this);
    if (term !== null) return postSearch(term);
    return nativeSubmit.call(this);
  };
  document.addEventListener("submit", function (event) {
    var term = idTerm(event.target);
    if (term !== null) {
      event.preventDefault();
      postSearch(term);
    }
  }, true);
})();
