// The receipt of a file just received says "waiting for the statistics run" until the
// daemon's run has published it; this asks the portal every few seconds and puts its
// answer in place, so the page need not be reloaded. Without JavaScript the page says
// the same and a reload tells the rest. No inline code: the Content-Security-Policy
// allows scripts from the portal's own address only.
(function () {
  "use strict";
  var shown = document.getElementById("in-statistics");
  if (!shown || shown.dataset.state !== "waiting") {
    return;
  }
  var every = 4000;
  var tries = 150; // ten minutes: a run that takes longer is seen on the next visit
  function ask() {
    fetch(shown.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (answer) {
        if (!answer.ok) {
          throw new Error(answer.status);
        }
        return answer.json();
      })
      .then(function (status) {
        if (status.in_statistics !== shown.dataset.state) {
          shown.dataset.state = status.in_statistics;
          shown.textContent = status.text;
        }
        if (status.in_statistics === "waiting" && --tries > 0) {
          window.setTimeout(ask, every);
        }
      })
      .catch(function () {
        // Signed out or the portal away: the page keeps what it said.
      });
  }
  window.setTimeout(ask, every);
})();
