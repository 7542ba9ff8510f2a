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
