/*
 * skydd embed, parent side. Include it on the page that holds the iframe:
 *
 *   <script src="https://skydd.example.com/static/skydd-embed.js" defer></script>
 *   <iframe data-skydd-embed src="https://skydd.example.com/embed/policy"
 *           title="Privacy policy" style="width:100%;border:0" height="600"></iframe>
 *
 * Each iframe[data-skydd-embed] is resized to the height its page reports, and the
 * page scrolls to a section when a link inside the policy asks for it. A message is
 * trusted only if it comes from that iframe's window (event.source) and from the
 * origin of its src (event.origin); anything else is ignored.
 */
(function () {
  "use strict";
  var MAX_HEIGHT = 100000;

  function embeds() {
    return document.querySelectorAll("iframe[data-skydd-embed]");
  }

  function originOf(frame) {
    try {
      return new URL(frame.src, document.baseURI).origin;
    } catch (error) {
      return null;
    }
  }

  function frameOf(source) {
    var frames = embeds();
    for (var i = 0; i < frames.length; i++) {
      if (source && frames[i].contentWindow === source) return frames[i];
    }
    return null;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || (data.type !== "skydd:resize" && data.type !== "skydd:scroll")) return;
    var frame = frameOf(event.source);
    if (!frame || event.origin !== originOf(frame)) return;
    if (data.type === "skydd:resize") {
      var height = Number(data.height);
      if (!isFinite(height) || height < 0) return;
      frame.style.height = Math.min(Math.ceil(height), MAX_HEIGHT) + "px";
    } else {
      var top = Number(data.top);
      if (!isFinite(top) || top < 0) return;
      window.scrollTo(0, frame.getBoundingClientRect().top + window.scrollY + top);
    }
  });

  /* Ask a frame for its height: covers a frame that reported before this script ran. */
  function measure(frame) {
    var origin = originOf(frame);
    if (origin && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: "skydd:measure" }, origin);
    }
  }

  function start() {
    var frames = embeds();
    for (var i = 0; i < frames.length; i++) {
      frames[i].addEventListener("load", measure.bind(null, frames[i]));
      measure(frames[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
