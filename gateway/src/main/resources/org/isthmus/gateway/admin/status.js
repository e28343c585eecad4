// The Isthmus status page: reads the admin API and fills status.html. Plain script, no libraries.
// Text from the API (which can come from peers) is only ever set as textContent, never as HTML.
// The URL fragment may carry token=... and lookup=...; a fragment is not sent to the server.
"use strict";

(function () {
  const REFRESH_MS = 5000;
  const ERRORS_SHOWN = 20;
  const STORAGE_KEY = "isthmus-admin-token";
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  let token = fragment.get("token") || sessionStorage.getItem(STORAGE_KEY) || "";
  let refreshes = 0;

  function $(id) {
    return document.getElementById(id);
  }

  function setText(id, value) {
    $(id).textContent = value === undefined || value === null ? "–" : String(value);
  }

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text === undefined || text === null ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  function clear(tbody) {
    while (tbody.firstChild) {
      tbody.removeChild(tbody.firstChild);
    }
  }

  class Unauthorized extends Error {}

  async function api(path) {
    const headers = { "Accept": "application/json" };
    if (token) {
      headers["Authorization"] = "Bearer " + token;
    }
    const response = await fetch(path, { headers: headers, cache: "no-store" });
    if (response.status === 401) {
      throw new Unauthorized("the admin API refused the token");
    }
    const body = await response.json();
    if (!response.ok && response.status !== 503) {
      throw new Error(path + ": " + response.status + " " + (body.error || ""));
    }
    return body;
  }

  function askForToken(message) {
    $("token-form").hidden = false;
    setText("token-problem", message);
    document.body.dataset.auth = "needed";
  }

  function renderStatus(status) {
    const health = $("health");
    health.textContent = status.health.status;
    health.className = "badge " + status.health.status;
    const reasons = $("reasons");
    clear(reasons);
    (status.health.reasons || []).forEach(function (reason) {
      const li = document.createElement("li");
      li.textContent = reason;
      reasons.appendChild(li);
    });
    setText("version", "version " + status.version);
    setText("uptime", "up " + status.uptimeSeconds + " s");

    const links = $("links").tBodies[0];
    clear(links);
    status.links.forEach(function (link) {
      const row = links.insertRow();
      cell(row, link.domain);
      cell(row, link.kind);
      cell(row, link.up ? "up" : "down").className = link.up ? "up" : "down";
    });
    const sip = links.insertRow();
    cell(sip, "SIP edge");
    cell(sip, "sip");
    cell(sip, status.sipListening ? "up" : "down").className = status.sipListening ? "up" : "down";

    Object.keys(status.messages).forEach(function (direction) {
      Object.keys(status.messages[direction]).forEach(function (outcome) {
        const id = "messages-" + direction + "-" + outcome;
        if ($(id)) {
          setText(id, status.messages[direction][outcome]);
        }
      });
    });
    Object.keys(status.held).forEach(function (what) {
      setText("held-" + what, status.held[what]);
    });
    setText("errors-sinceStart", status.errors.sinceStart);
  }

  function renderErrors(errors) {
    const tbody = $("errors").tBodies[0];
    clear(tbody);
    errors.items.forEach(function (e) {
      const row = tbody.insertRow();
      row.id = "error-" + e.id;
      cell(row, e.id);
      cell(row, e.time);
      cell(row, e.direction);
      cell(row, e.callId);
      cell(row, e.stanzaId);
      cell(row, e.peer);
      cell(row, e.condition);
      cell(row, e.status);
      cell(row, e.text);
    });
    $("errors-none").hidden = errors.items.length > 0;
  }

  async function refresh() {
    try {
      const results = await Promise.all([api("/api/status"), api("/api/errors?limit=" + ERRORS_SHOWN)]);
      renderStatus(results[0]);
      renderErrors(results[1]);
      $("token-form").hidden = true;
      refreshes += 1;
      setText("refreshed", "(refreshed " + new Date().toISOString().slice(11, 19) + " UTC)");
      document.body.dataset.loaded = String(refreshes);
    } catch (e) {
      if (e instanceof Unauthorized) {
        askForToken(token ? "That token was refused." : "");
      } else {
        setText("refreshed", "(refresh failed: " + e.message + ")");
      }
    }
  }

  async function lookup(address) {
    const result = $("lookup-result");
    try {
      const query = "address=" + encodeURIComponent(address);
      const results = await Promise.all([api("/api/translate?" + query), api("/api/subscriptions?" + query)]);
      const translation = results[0];
      setText("translate-verdict", translation.verdict === "invalid"
        ? "'" + translation.address + "' " + translation.problem
        : (translation.normalized + ": " + (translation.verdict === "maps" ? "maps both ways" : "refused")));
      $("translate-verdict").dataset.verdict = translation.verdict;
      const rows = $("translate").tBodies[0];
      clear(rows);
      translation.rows.forEach(function (r) {
        const row = rows.insertRow();
        cell(row, r.label);
        cell(row, r.value);
      });
      const subscriptions = results[1];
      setText("lookup-subscriptions-total", subscriptions.total + " subscription(s) whose user or contact contains '"
        + address + "'");
      $("lookup-subscriptions-total").dataset.total = String(subscriptions.total);
      const subs = $("lookup-subscriptions").tBodies[0];
      clear(subs);
      subscriptions.items.forEach(function (s) {
        const row = subs.insertRow();
        cell(row, s.user);
        cell(row, s.contact);
        cell(row, s.outbound);
        cell(row, s.inbound);
        cell(row, s.subscriberCallId);
        cell(row, s.notifierCallId);
      });
      result.hidden = false;
      document.body.dataset.lookup = "done";
    } catch (e) {
      if (e instanceof Unauthorized) {
        askForToken("That token was refused.");
      } else {
        setText("translate-verdict", "lookup failed: " + e.message);
        result.hidden = false;
      }
    }
  }

  function start() {
    $("token-form").addEventListener("submit", function (event) {
      event.preventDefault();
      token = $("token").value.trim();
      sessionStorage.setItem(STORAGE_KEY, token);
      refresh();
    });
    $("lookup-form").addEventListener("submit", function (event) {
      event.preventDefault();
      const address = $("lookup").value.trim();
      if (address) {
        lookup(address);
      }
    });
    if (fragment.get("token")) {
      sessionStorage.setItem(STORAGE_KEY, token);
    }
    const first = refresh();
    const address = fragment.get("lookup");
    if (address) {
      $("lookup").value = address;
      first.then(function () {
        return lookup(address);
      });
    }
    window.setInterval(refresh, REFRESH_MS);
  }

  start();
}());
