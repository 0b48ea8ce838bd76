// Behaviour for every page. No inline script or handler anywhere: the CSP allows only files
// served from /static. Elements opt in by data- attributes.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // <button data-print>: print the page (the 信用码 card)
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  // <a data-back>: back to the form the error came from (the browser keeps what was typed)
  for (const link of document.querySelectorAll("a[data-back]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      window.history.back();
    });
  }
  // <form data-confirm="…">: an act that cannot be undone asks first; 取消 leaves the page as it is
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }
});
