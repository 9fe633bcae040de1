// Small behaviours of the public site, in a static file: the Content-Security-Policy allows no inline script.
"use strict";

document.addEventListener("click", (event) => {
  // <button data-print>: print the page (receipts, backup codes).
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

document.addEventListener("submit", (event) => {
  // <form data-no-submit>: a preview that must never be sent.
  if (event.target.closest("[data-no-submit]")) {
    event.preventDefault();
  }
});
