// The wall's live feed and TV rotation, and the book's print button. Loaded from /assets so the
// pages' Content-Security-Policy can forbid inline script.
(function () {
  "use strict";
  var body = document.body;

  var print = document.getElementById("print");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
  if (!body.dataset.events) {
    return;
  }

  var cards = document.getElementById("cards");
  var live = document.getElementById("live");
  var source = null;
  var opened = false;
  var sideTimer = null;
  var MAX_CARDS = 120;

  function setLive(on) {
    body.dataset.live = on ? "on" : "off";
    if (live) { live.textContent = on ? "live" : "reconnecting…"; }
  }

  function fetchInto(url, element) {
    if (!element || !url) { return; }
    fetch(url, { cache: "no-store" }).then(function (r) {
      if (r.ok) { return r.text(); }
      throw new Error("HTTP " + r.status);
    }).then(function (html) {
      // Server-rendered and escaped by the server's templates.
      element.innerHTML = html;
      rotate.reset();
    }).catch(function () { /* the next change or reconnection tries again */ });
  }

  function refreshSide() {
    clearTimeout(sideTimer);
    sideTimer = setTimeout(function () {
      fetchInto(body.dataset.side, document.getElementById("side"));
    }, 800);
  }

  function added(e) {
    var d = JSON.parse(e.data);
    if (document.getElementById("k-" + d.id)) { return; }
    var t = document.createElement("template");
    t.innerHTML = d.html;
    var card = t.content.firstElementChild;
    if (!card) { return; }
    card.classList.add("new");
    var empty = document.getElementById("empty");
    if (empty) { empty.remove(); }
    cards.prepend(card);
    while (cards.children.length > MAX_CARDS) { cards.lastElementChild.remove(); }
    rotate.reset();
    refreshSide();
  }

  function removed(e) {
    var d = JSON.parse(e.data);
    var card = document.getElementById("k-" + d.id);
    if (card) { card.remove(); }
    rotate.reset();
    refreshSide();
  }

  function connect() {
    source = new EventSource(body.dataset.events);
    source.addEventListener("hello", function () {
      // A reconnection may have missed changes: reload what the wall shows.
      if (opened) {
        fetchInto(body.dataset.cards, cards);
        refreshSide();
      }
      opened = true;
      setLive(true);
    });
    source.addEventListener("added", added);
    source.addEventListener("removed", removed);
    source.addEventListener("reload", function () {
      fetchInto(body.dataset.cards, cards);
      refreshSide();
    });
    source.addEventListener("gone", function () {
      source.close();
      setLive(false);
      if (live) { live.textContent = "link changed: ask an admin for the new one"; }
    });
    source.onerror = function () {
      setLive(false);
      // A refused or failed response closes an EventSource for good; keep trying.
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, 2000);
      }
    };
  }

  // TV mode: the newest thank-yous take turns in the spotlight.
  var rotate = (function () {
    var index = 0;
    var SHOWN = 6;
    function step() {
      if (!body.classList.contains("tv")) { return; }
      var list = Array.prototype.slice.call(cards.querySelectorAll(".card"), 0, SHOWN);
      list.forEach(function (c) { c.classList.remove("current"); });
      if (list.length) {
        index = index % list.length;
        list[index].classList.add("current");
        index += 1;
      }
    }
    setInterval(step, 8000);
    return { reset: function () { index = 0; step(); } };
  })();

  rotate.reset();
  setLive(false);
  connect();
})();
