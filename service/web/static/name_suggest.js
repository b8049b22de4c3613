// Name suggestions for a field (the relationship form's From and To), matched as the
// server matches names: accents dropped and case folded, so "sian" finds "Siân" (the
// browser's own <datalist> matching does not fold accents). Without script the
// <datalist> still suggests. An ARIA 1.2 combobox: arrows move through the list,
// Enter chooses, Escape closes; the count is announced. No inline script, no CDN.
(function () {
  var fold = function (text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  };
  var MAX = 12;
  var made = 0;
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), function (input) {
    var source = document.getElementById(input.getAttribute("data-suggest"));
    if (!source) return;
    var options = Array.prototype.map.call(source.querySelectorAll("option"), function (o) {
      return { value: o.value, note: o.textContent, key: o.getAttribute("data-key") || fold(o.value) };
    });
    made += 1;
    var id = "suggest-" + made;
    var box = document.createElement("ul");
    box.id = id;
    box.className = "suggest";
    box.setAttribute("role", "listbox");
    if (input.labels && input.labels[0]) box.setAttribute("aria-label", input.labels[0].textContent);
    box.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.insertBefore(box, input.nextSibling);
    input.parentNode.insertBefore(status, box.nextSibling);
    input.removeAttribute("list"); // this list replaces the browser's, which keeps accents
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    var shown = [];
    var active = -1;

    var close = function () {
      box.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    var choose = function (i) {
      input.value = shown[i].value;
      close();
    };
    var render = function () {
      var wanted = fold(input.value);
      box.textContent = "";
      if (!wanted) { close(); status.textContent = ""; return; }
      var first = [], rest = [];
      options.forEach(function (o) {
        var at = o.key.indexOf(wanted);
        if (at === 0) first.push(o); else if (at > 0) rest.push(o);
      });
      shown = first.concat(rest).slice(0, MAX);
      active = -1;
      input.removeAttribute("aria-activedescendant");
      shown.forEach(function (o, i) {
        var item = document.createElement("li");
        item.id = id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.appendChild(document.createTextNode(o.value));
        var note = document.createElement("span");
        note.className = "suggest__note";
        note.textContent = " · " + o.note;
        item.appendChild(note);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        box.appendChild(item);
      });
      box.hidden = shown.length === 0;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      var words = input.getAttribute("data-suggest-count") || "{num}";
      status.textContent = words.replace("{num}", String(shown.length));
    };
    var move = function (step) {
      if (box.hidden) render();
      if (!shown.length) return;
      active = (active + step + shown.length) % shown.length;
      Array.prototype.forEach.call(box.children, function (item, i) {
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", id + "-" + active);
      box.children[active].scrollIntoView({ block: "nearest" });
    };
    input.addEventListener("input", render);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Enter" && !box.hidden && active >= 0) { event.preventDefault(); choose(active); }
      else if (event.key === "Escape" && !box.hidden) { event.preventDefault(); close(); }
    });
    input.addEventListener("blur", close);
  });
})();
