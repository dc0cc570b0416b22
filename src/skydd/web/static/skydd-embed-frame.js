/*
 * skydd embed, frame side: runs inside /embed/policy and tells the embedding page how
 * tall the content is, on load, whenever it changes size (ResizeObserver), and when
 * the parent asks. The frame never scrolls (it is as tall as its content), so a link
 * to a section asks the parent to scroll there instead, and links to other pages open
 * in a new tab rather than inside the frame. Messages carry only numbers, so the
 * target origin may be "*"; the parent script checks where each message came from.
 */
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = -1;

  function send(message) {
    window.parent.postMessage(message, "*");
  }

  function contentHeight() {
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }

  function report(force) {
    var height = contentHeight();
    if (!force && height === last) return;
    last = height;
    send({ type: "skydd:resize", height: height });
  }

  function scrollToSection(event) {
    var id = decodeURIComponent(this.getAttribute("href").slice(1));
    var target = document.getElementById(id);
    if (!target) return;
    event.preventDefault();
    send({ type: "skydd:scroll", top: Math.floor(target.getBoundingClientRect().top + window.scrollY) });
  }

  var links = document.querySelectorAll("a[href]");
  for (var i = 0; i < links.length; i++) {
    var href = links[i].getAttribute("href");
    if (href.charAt(0) === "#") {
      links[i].addEventListener("click", scrollToSection);
    } else if (/^(https?:)?\/\//i.test(href) || href.charAt(0) === "/") {
      links[i].target = "_blank";
      links[i].rel = "noopener";
    }
  }

  window.addEventListener("load", function () { report(true); });
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(function () { report(false); }).observe(document.documentElement);
  } else {
    window.addEventListener("resize", function () { report(false); });
  }
  window.addEventListener("message", function (event) {
    if (event.source === window.parent && event.data && event.data.type === "skydd:measure") {
      report(true);
    }
  });
  report(true);
})();
