// The console's own script, for what HTML alone cannot do; every page
// works without it.
// A mailed set-password link carries its token after '#' (never sent to
// the server, so never in a log): copy it into the form.
document.addEventListener("DOMContentLoaded", function () {
  var found = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  var field = document.getElementById("token");
  if (found && field && !field.value) {
    field.value = decodeURIComponent(found[1]);
  }
});

// An upload's progress: a form with data-progress names the <progress>
// its htmx request fills as the file goes up (without JavaScript the form
// simply posts, and the bar stays hidden).
(function () {
  function bar(form) {
    var id = form && form.getAttribute && form.getAttribute("data-progress");
    return id ? document.getElementById(id) : null;
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var b = bar(e.target);
    if (b) {
      b.value = 0;
      b.hidden = false;
    }
  });
  document.addEventListener("htmx:xhr:progress", function (e) {
    var b = bar(e.target);
    if (b && e.detail.lengthComputable && e.detail.total > 0) {
      // The answer's download reports progress too: the bar never goes back.
      b.value = Math.max(b.value, (100 * e.detail.loaded) / e.detail.total);
    }
  });
})();
