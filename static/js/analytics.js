/* Analytics dashboard: draws each chart with plotly.js (served from the pip-installed plotly
 * package) from the figures the page embeds with json_script. Without JavaScript, or if the
 * library is missing, the tables under each chart stay open and say the same. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("analytics-figures");
    if (!source || typeof window.Plotly === "undefined") {
      return;
    }
    var figures = JSON.parse(source.textContent);
    var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
    document.querySelectorAll(".tc-chart[data-chart]").forEach(function (element) {
      var name = element.getAttribute("data-chart");
      var figure = figures[name];
      if (!figure) {
        return;
      }
      window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
        element.setAttribute("data-drawn", "true");
        // The chart now says it; keep its table one click away.
        var table = document.querySelector('details[data-table-for="' + name + '"]');
        if (table) {
          table.removeAttribute("open");
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
