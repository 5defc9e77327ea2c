/* Slides (issue 19): a click on a figure shows it enlarged, at the window's width, scrolled
   with the wheel or the arrow keys; a click or Escape closes it. Keys go to the enlarged
   figure while it is open, not to reveal.js (which would change slide under it). */
(function () {
  "use strict";
  function open(img) {
    var box = document.createElement("div");
    box.className = "sco-zoom";
    box.tabIndex = -1;
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", img.alt + " (enlarged)");
    var big = document.createElement("img");
    big.src = img.src;
    big.alt = img.alt;
    var hint = document.createElement("p");
    hint.textContent = "click or Esc to close";
    box.appendChild(big);
    box.appendChild(hint);
    box.addEventListener("click", function () { box.remove(); });
    document.body.appendChild(box);
    box.focus();
  }
  document.addEventListener("click", function (e) {
    var img = e.target.closest ? e.target.closest(".reveal .sco-fig img") : null;
    if (img) { e.preventDefault(); open(img); }
  });
  document.addEventListener("keydown", function (e) {
    var box = document.querySelector(".sco-zoom");
    if (!box) { return; }
    e.stopImmediatePropagation();
    if (e.key === "Escape" || e.key === "Esc") { e.preventDefault(); box.remove(); }
  }, true);
})();
