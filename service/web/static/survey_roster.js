// The respondent page's roster: filter the names as you type (no inline script, no CDN).
// Names are matched as the server matches them: accents dropped and case folded, so
// "sian" finds "Siân"; each row carries the server's folded name in data-key.
(function () {
  var input = document.querySelector("[data-roster-search]");
  if (!input) return;
  var items = Array.prototype.slice.call(document.querySelectorAll(".roster__item"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-roster-group]"));
  var count = document.getElementById("roster-count");
  var fold = function (text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  };
  var timer = null;
  var apply = function () {
    var wanted = fold(input.value);
    var shown = 0;
    items.forEach(function (item) {
      var match = !wanted || item.getAttribute("data-key").indexOf(wanted) !== -1;
      item.hidden = !match;
      if (match) shown += 1;
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector(".roster__item:not([hidden])");
    });
    if (count) count.textContent = wanted ? shown + " / " + items.length : "";
  };
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 60);
  });
  // Enter in the search box filters; it does not send the form
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); apply(); }
  });
  apply();
})();
