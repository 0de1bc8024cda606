/* The review desk's only script (no inline script: the page's CSP forbids it).
 * It loads each view from /desk/api/ with Telegram's initData in the Authorization header,
 * and shows the HTML the server rendered. Nothing is stored and nothing goes into a URL. */
(function () {
  "use strict";
  var main = document.getElementById("desk");
  var api = main.getAttribute("data-base") + "api/";
  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = (tg && tg.initData) || "";
  var trail = [];
  var current = null;
  var blobs = [];

  function authorized(options) {
    options = options || {};
    options.headers = Object.assign({ Authorization: "tma " + initData }, options.headers || {});
    options.credentials = "omit";
    options.cache = "no-store";
    return options;
  }

  function show(html) {
    blobs.forEach(function (url) { URL.revokeObjectURL(url); });
    blobs = [];
    main.innerHTML = html;
    main.querySelectorAll("img[data-src]").forEach(function (img) {
      fetch(api + img.getAttribute("data-src"), authorized())
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.blob();
        })
        .then(function (blob) {
          var url = URL.createObjectURL(blob);
          blobs.push(url);
          img.src = url;
        })
        .catch(function () { img.classList.add("missing"); });
    });
    if (tg && tg.BackButton) {
      if (trail.length) { tg.BackButton.show(); } else { tg.BackButton.hide(); }
    }
    window.scrollTo(0, 0);
  }

  function answer(response) {
    return response.text().then(function (text) {
      var html = response.headers.get("content-type") || "";
      if (html.indexOf("text/html") !== 0) {
        var p = document.createElement("p");
        p.className = "refused";
        p.textContent = text;
        main.replaceChildren(p);
        return;
      }
      show(text);
    });
  }

  function load(view, remember) {
    if (remember && current !== null && current !== view) { trail.push(current); }
    current = view;
    main.setAttribute("aria-busy", "true");
    return fetch(api + view, authorized())
      .then(answer)
      .finally(function () { main.removeAttribute("aria-busy"); });
  }

  function back() {
    if (trail.length) { current = null; load(trail.pop(), false); }
  }

  main.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-view], a[data-download]");
    if (!link) { return; }
    event.preventDefault();
    if (link.hasAttribute("data-view")) {
      load(link.getAttribute("data-view"), true);
      return;
    }
    fetch(api + link.getAttribute("data-download"), authorized())
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        var disposition = response.headers.get("content-disposition") || "";
        var name = (disposition.match(/filename="([^"]+)"/) || [])[1] || "file";
        return response.blob().then(function (blob) {
          var url = URL.createObjectURL(blob);
          blobs.push(url);
          var save = document.createElement("a");
          save.href = url;
          save.download = name;
          document.body.appendChild(save);
          save.click();
          save.remove();
        });
      })
      .catch(function () { link.classList.add("missing"); });
  });

  main.addEventListener("submit", function (event) {
    var form = event.target;
    event.preventDefault();
    var fields = new URLSearchParams(new FormData(form));
    if (form.hasAttribute("data-get")) {
      var query = new URLSearchParams();
      fields.forEach(function (value, key) { if (value) { query.append(key, value); } });
      load(form.getAttribute("data-get") + "?" + query.toString(), false);
      return;
    }
    var submitter = event.submitter;
    if (submitter && submitter.name) { fields.append(submitter.name, submitter.value); }
    form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    fetch(api + form.getAttribute("data-post"), authorized({
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: fields.toString()
    })).then(answer);
  });

  if (tg) {
    tg.ready();
    if (tg.expand) { tg.expand(); }
    if (tg.BackButton) { tg.BackButton.onClick(back); }
  }
  var start = new URLSearchParams(window.location.search).get("application") || "";
  load(/^[0-9]{1,10}$/.test(start) ? "applications/" + start : "queue", false);
})();
