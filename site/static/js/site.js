/* The public site's behaviour, in a static file (no inline script: strict Content-Security-Policy).
   Without JavaScript the menu is simply shown open and videos are reached through their link. */
(function () {
  "use strict";

  function setExpanded(button, target, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    target.classList.toggle("is-open", open);
  }

  function initMenu() {
    var button = document.querySelector(".menu-button");
    var nav = document.getElementById("site-nav");
    if (!button || !nav) return;
    button.hidden = false;
    nav.classList.add("site-nav--collapsible");
    button.addEventListener("click", function () {
      setExpanded(button, nav, button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" && button.offsetParent !== null) {
        setExpanded(button, nav, false);
        button.focus();
      }
    });
    document.querySelectorAll(".submenu-button").forEach(function (sub) {
      var list = document.getElementById(sub.getAttribute("aria-controls"));
      if (!list) return;
      sub.hidden = false;
      list.classList.add("site-nav__submenu--collapsible");
      sub.addEventListener("click", function () {
        setExpanded(sub, list, sub.getAttribute("aria-expanded") !== "true");
      });
      sub.parentElement.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && sub.getAttribute("aria-expanded") === "true") {
          event.stopPropagation();
          setExpanded(sub, list, false);
          sub.focus();
        }
      });
      // Focus leaving the entry (Tab past its last link, or a click elsewhere) closes its submenu.
      sub.parentElement.addEventListener("focusout", function (event) {
        if (!sub.parentElement.contains(event.relatedTarget)) setExpanded(sub, list, false);
      });
    });
  }

  function initVideos() {
    document.querySelectorAll(".js-video-consent").forEach(function (button) {
      button.addEventListener("click", function () {
        var box = button.closest(".video__consent");
        var url = box && box.getAttribute("data-embed-url");
        if (!url) return;
        var frame = document.createElement("iframe");
        frame.src = url;
        frame.title = box.getAttribute("data-title") || "";
        frame.allow = "fullscreen; picture-in-picture";
        frame.className = "video__frame";
        box.replaceWith(frame);
        frame.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMenu();
    initVideos();
  });
})();
