// Bridgemap pages: small progressive enhancements only (every page works without it).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy"));
  if (!field) return;
  field.select();
  var done = function () { button.textContent = "Copied"; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});

// The graph page: the drawing takes the rest of the screen below the controls (the
// CSS height is the fallback; on a phone the frame is one screen tall by CSS alone).
(function () {
  function fit() {
    var frame = document.querySelector(".graph-frame--page");
    if (!frame || window.matchMedia("(max-width: 40rem)").matches) {
      if (frame) frame.style.height = "";
      return;
    }
    var top = frame.getBoundingClientRect().top + window.scrollY;
    var room = window.innerHeight - top - 12;
    frame.style.height = Math.max(room, 416) + "px";
  }
  document.addEventListener("DOMContentLoaded", fit);
  window.addEventListener("resize", fit);
})();

// After a form error, focus moves to the summary of errors (it is announced, and its
// links lead to each field).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
