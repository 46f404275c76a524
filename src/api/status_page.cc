#include "api/status_page.h"

namespace ct::api {

std::string_view StatusPageHtml() {
  static constexpr std::string_view kHtml = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>clicktrail status</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 56rem; color: #222; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }
  .state { font-weight: 600; border-radius: .3rem; padding: .1rem .5rem; color: #fff; }
  .green { background: #2e7d32; } .amber { background: #b26a00; } .red { background: #c62828; }
  .firing { background: #c62828; } .pending { background: #b26a00; }
  .ok { background: #2e7d32; } .in_flight { background: #b26a00; }
  .mismatch { background: #c62828; }
  #error { color: #c62828; }
  #banner { background: #fff3e0; border-left: .4rem solid #b26a00; padding: .6rem 1rem; }
</style>
</head>
<body>
<h1>clicktrail status</h1>
<form id="login" hidden>
  <label for="key">API key</label>
  <input id="key" type="password" autocomplete="off" size="56" required>
  <button type="submit">Show status</button>
</form>
<p id="error" role="alert"></p>
<section id="status" hidden aria-live="polite">
  <p id="banner" role="status" hidden></p>
  <p><small id="complete"></small></p>
  <h2>Stages</h2>
  <table><thead><tr><th>Stage</th><th>State</th><th>Lag (s)</th><th>Detail</th>
    <th>Last error</th></tr></thead><tbody id="stages"></tbody></table>
  <h2>Alarms</h2>
  <table><thead><tr><th>Alarm</th><th>State</th><th>Since</th><th>Summary</th></tr></thead>
    <tbody id="alarms"></tbody></table>
  <h2>Reconciliation</h2>
  <p><small>Per edge and UTC hour: answered = journaled = committed, or why not
    (last 48 hours; operator keys only).</small></p>
  <p id="recon-note"></p>
  <table><thead><tr><th>Hour (UTC)</th><th>Edge</th><th>Answered</th><th>Journaled</th>
    <th>Committed</th><th>Dup.</th><th>Dead</th><th>Corrupt</th><th>In flight</th>
    <th>Status</th><th>Reasons</th></tr></thead><tbody id="recon"></tbody></table>
  <p><small id="updated"></small></p>
</section>
<script>
"use strict";
const keyName = "clicktrail-api-key";
const $ = (id) => document.getElementById(id);
function cell(row, text, cls) {
  const td = row.insertCell();
  if (cls) { const s = document.createElement("span"); s.className = "state " + cls;
             s.textContent = text; td.appendChild(s); } else { td.textContent = text ?? ""; }
}
async function refresh() {
  const key = sessionStorage.getItem(keyName);
  if (!key) { $("login").hidden = false; return; }
  try {
    const r = await fetch("/api/v1/status", { headers: { Authorization: "Bearer " + key } });
    if (r.status === 401) { sessionStorage.removeItem(keyName); $("login").hidden = false;
                            $("error").textContent = "That API key was refused."; return; }
    if (!r.ok) throw new Error("status " + r.status);
    const s = await r.json();
    $("error").textContent = "";
    $("status").hidden = false;
    // Reports are late while a stage holds events back: say which, and up to when they hold.
    const until = new Date(s.complete_until).toLocaleString();
    $("banner").hidden = !s.lagging_stage;
    $("banner").textContent = s.lagging_stage
      ? "Reports are incomplete after " + until + ": the " + s.lagging_stage +
        " stage is lagging (" + (s.lagging_reason || "behind") + "). Clicks are kept in the " +
        "journal and counted when it catches up."
      : "";
    $("complete").textContent = "Reports complete until " + until;
    const stages = $("stages"); stages.replaceChildren();
    for (const st of s.stages) {
      const row = stages.insertRow();
      cell(row, st.name); cell(row, st.state, st.state);
      cell(row, st.lag_seconds == null ? "" : st.lag_seconds.toFixed(1));
      cell(row, st.detail); cell(row, st.last_error);
    }
    const alarms = $("alarms"); alarms.replaceChildren();
    if (s.alarms.length === 0) { cell(alarms.insertRow(), "none"); }
    for (const a of s.alarms) {
      const row = alarms.insertRow();
      cell(row, a.name); cell(row, a.state, a.state); cell(row, a.since); cell(row, a.summary);
    }
    await refreshReconciliation(key);
    $("updated").textContent = "Updated " + new Date().toLocaleTimeString();
  } catch (e) {
    $("error").textContent = "Cannot reach clicktrail: " + e.message;
  }
}
async function refreshReconciliation(key) {
  const r = await fetch("/api/v1/reconciliation", { headers: { Authorization: "Bearer " + key } });
  const body = $("recon"); body.replaceChildren();
  if (r.status === 403) { $("recon-note").textContent = "This key has no operator scope."; return; }
  if (!r.ok) { $("recon-note").textContent = "Unavailable (status " + r.status + ")."; return; }
  const s = await r.json();
  $("recon-note").textContent = s.summary.ok + " ok, " + s.summary.in_flight + " in flight, " +
                                s.summary.mismatch + " mismatch";
  for (const h of s.hours.slice().reverse()) {
    const row = body.insertRow();
    cell(row, h.hour.replace(":00:00Z", "Z")); cell(row, h.edge);
    for (const k of ["answered", "journaled", "committed", "duplicates", "dead_lettered",
                     "corrupted", "in_flight"]) cell(row, String(h[k]));
    cell(row, h.status, h.status);
    cell(row, h.reasons.map((x) => x.reason + ": " + x.count).join(", "));
  }
}
$("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(keyName, $("key").value.trim());
  $("login").hidden = true;
  refresh();
});
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)html";
  return kHtml;
}

}  // namespace ct::api
