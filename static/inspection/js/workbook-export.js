/* A workbook job's page: asks the status endpoint for the job's progress until it is
 * done (shows the download link) or failed (shows why, and the retry button).
 *
 * Reads {status, label, percent, download_url, error, status_url, poll_ms} from the
 * <script id="workbook-job-data"> that Django's json_script wrote; the status
 * endpoint answers the same fields. The card's data-status says which state the page
 * shows, for people's tools and the tests alike. */
(function () {
  "use strict";
  var card = document.getElementById("workbook-job");
  var source = document.getElementById("workbook-job-data");
  if (!card || !source) return;
  var page = JSON.parse(source.textContent);

  function part(name) { return card.querySelector('[data-part="' + name + '"]'); }
  function field(name) { return card.querySelector('[data-field="' + name + '"]'); }

  function show(state) {
    var finished = state.status === "done" || state.status === "failed";
    part("progress").hidden = finished;
    part("done").hidden = state.status !== "done";
    part("failed").hidden = state.status !== "failed";
    field("label").textContent = state.label;
    var bar = field("bar");
    bar.style.width = state.percent + "%";
    bar.textContent = state.percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", String(state.percent));
    if (state.download_url) field("download").href = state.download_url;
    field("error").textContent = state.error || "";
    card.dataset.status = state.status;
    return finished;
  }

  function poll() {
    fetch(page.status_url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (state) {
        if (!show(state)) window.setTimeout(poll, page.poll_ms);
      })
      // A dropped connection: keep asking, a little less often.
      .catch(function () { window.setTimeout(poll, page.poll_ms * 3); });
  }

  if (!show(page)) window.setTimeout(poll, page.poll_ms);
})();
