// The job page (templates/jobs/job_detail.html): follow a running job by polling
// its status.json, move the progress bar, and reload the page when it ends so the
// result file and the rejected rows show. No inline script: CSP forbids it.
(function () {
  "use strict";
  var section = document.getElementById("job");
  if (!section || section.dataset.finished === "true") {
    return;
  }
  var url = section.dataset.statusUrl;
  var bar = section.querySelector("[data-job-progress]");
  var fill = bar ? bar.querySelector(".progress-bar") : null;
  var delay = 1000;

  function show(status) {
    Object.keys(status).forEach(function (key) {
      section.querySelectorAll('[data-job-field="' + key + '"]').forEach(function (el) {
        el.textContent = status[key] === null ? "" : status[key];
      });
    });
    if (bar && fill) {
      bar.setAttribute("aria-valuenow", status.percent);
      fill.style.width = status.percent + "%";
      fill.textContent = status.percent + "%";
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          delay = Math.min(delay * 1.2, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, delay);
})();
