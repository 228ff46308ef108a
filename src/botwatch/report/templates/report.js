// Page-wide behaviour: open every folded block before printing, so a printed report is complete,
// and fold them back afterwards.
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
}());

// A table or figure wider than the screen scrolls sideways inside its own box (report.css: .table-wrap,
// the phone rule, table.small on a tablet). Safari reaches no scroll box by keyboard unless it is
// focusable, so a keyboard reader there could not see the columns past the edge: each box that
// overflows now takes focus (tabindex 0) and has a name (its caption's words) that says what it is;
// a box that fits again, after a resize, gives them back, so a desktop gets no extra tab stops.
(function () {
  "use strict";
  function named(el) {  // a table by its caption, a figure by its figcaption
    return !!el.querySelector(el.matches("table") ? ":scope > caption" : ":scope > figcaption");
  }
  function words(el) {  // a wrapper by its table's caption, else by its section's heading
    var c = el.querySelector("caption, figcaption");
    var h = el.closest("section");
    h = h && h.querySelector("h2, h3");
    var w = (c || h || el).textContent.replace(/\s+/g, " ").trim().slice(0, 120);
    return (w || "Table") + ", scrolls sideways";
  }
  function mark() {
    document.querySelectorAll("main .table-wrap, main table, main figure").forEach(function (el) {
      if (el.closest(".chart-data")) { return; }
      var x = getComputedStyle(el).overflowX;
      var over = (x === "auto" || x === "scroll") && el.scrollWidth > el.clientWidth + 1;
      if (over && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-scroll-focus", "");
        if (el.matches("div")) { el.setAttribute("role", "region"); }
        if ((el.matches("div") || !named(el)) && !el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) { el.setAttribute("aria-label", words(el)); el.setAttribute("data-scroll-focus", "named"); }
      } else if (!over && el.hasAttribute("data-scroll-focus")) {
        if (el.getAttribute("data-scroll-focus") === "named") { el.removeAttribute("aria-label"); }
        if (el.matches("div")) { el.removeAttribute("role"); }
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-focus");
      }
    });
  }
  mark();
  window.addEventListener("load", mark);  // after the explorer's script has filled its table
  window.addEventListener("resize", mark);
}());
