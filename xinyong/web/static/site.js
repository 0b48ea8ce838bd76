// Behaviour for every page. No inline script or handler anywhere: the CSP allows only files
// served from /static. Elements opt in by data- attributes.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // <button data-print>: print the page (the 信用码 card)
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
