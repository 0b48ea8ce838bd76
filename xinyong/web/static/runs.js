// A run's page (/admin/runs/{id}): while the run is queued or running, ask its progress every
// two seconds and show it; once it has ended, load the page again to show the result.
(function () {
  "use strict";
  var box = document.getElementById("run");
  if (!box || box.dataset.active !== "yes") { return; }
  var url = box.dataset.progressUrl;
  function show(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (run) {
        if (!run) { window.setTimeout(poll, 5000); return; }
        if (!run.active) { window.location.reload(); return; }
        show("run-status", run.status_label);
        show("run-phase", run.phase || "");
        show("run-count", run.total ? (run.done || 0) + " / " + run.total : "");
        var bar = document.getElementById("run-bar");
        if (bar && run.percent !== null) { bar.value = run.percent; bar.textContent = run.percent + "%"; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
