// The example server's sign-in page. It talks to the REST API under
// /api/v1 with fetch, from the same origin: in cookie mode (-cookie-mode)
// the refresh token lives in an HttpOnly cookie that this script cannot
// read; otherwise it is kept in memory only, never in storage.
"use strict";

const api = "/api/v1";
const state = { access: "", refresh: "", user: null, challenge: "", epoch: 0 };

// Signing out starts a new epoch. A flow that began before (a sign-in,
// the resumption on load, a refresh) checks its epoch after every await:
// once stale it neither signs the page back in nor overwrites the status.
const stale = (epoch) => epoch !== state.epoch;

const $ = (id) => document.getElementById(id);

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function show(id) {
  for (const s of ["signin", "second", "account"]) $(s).hidden = s !== id;
}

async function call(method, path, body, token) {
  const headers = { "X-Latch-CSRF": "1" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers["Authorization"] = "Bearer " + token;
  const resp = await fetch(api + path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  const data = text ? JSON.parse(text) : null;
  if (!resp.ok) {
    const err = new Error((data && (data.message || data.error)) || resp.statusText);
    err.status = resp.status;
    throw err;
  }
  return data;
}

function keep(tok) {
  state.access = tok.access_token;
  if (tok.refresh_token) state.refresh = tok.refresh_token; // bearer mode
  $("expires").textContent = tok.expires_at;
}

async function enter(tok, epoch) {
  if (stale(epoch)) return;
  const user = tok.user || await call("GET", "/me", undefined, tok.access_token);
  if (stale(epoch)) return;
  keep(tok);
  state.user = user;
  $("who").textContent = user.username;
  show("account");
  await listSessions();
  if (stale(epoch)) return;
  await listPasskeys();
}

// Passkeys (WebAuthn): the server sends options in the JSON form that
// PublicKeyCredential.parse*OptionsFromJSON reads, and takes the
// credential's toJSON() back.
async function passkeySignIn(body) {
  const begin = await call("POST", "/login/passkey/begin", body);
  const cred = await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(begin.options),
  });
  return call("POST", "/login/passkey", { login_id: begin.login_id, credential: cred.toJSON() });
}

async function listPasskeys() {
  const list = await call("GET", "/users/" + state.user.id + "/passkeys", undefined, state.access);
  const ul = $("passkeys");
  ul.replaceChildren();
  for (const p of list.passkeys) {
    const li = document.createElement("li");
    li.textContent = `${p.name}, added ${p.created_at}, last used ${p.last_used_at || "never"}${p.backup_state ? ", synced" : ""} `;
    const del = document.createElement("button");
    del.type = "button";
    del.textContent = "Remove";
    del.className = "passkey-remove";
    del.addEventListener("click", async () => {
      const epoch = state.epoch;
      try {
        await call("DELETE", "/users/" + state.user.id + "/passkeys/" + p.id, undefined, state.access);
        if (stale(epoch)) return;
        await listPasskeys();
        if (!stale(epoch)) status("Passkey removed.");
      } catch (e) {
        if (!stale(epoch)) status("Removing the passkey failed (sign in again within 5 minutes first): " + e.message, true);
      }
    });
    li.append(del);
    ul.append(li);
  }
}

async function listSessions() {
  const list = await call("GET", "/users/" + state.user.id + "/sessions", undefined, state.access);
  const ul = $("sessions");
  ul.replaceChildren();
  for (const s of list.sessions) {
    const li = document.createElement("li");
    li.textContent = `${s.client_ip || "unknown address"}, since ${s.created_at}${s.current ? " (this one)" : ""}`;
    if (s.current) li.className = "current";
    ul.append(li);
  }
}

async function refresh(epoch) {
  const body = state.refresh ? { refresh_token: state.refresh } : undefined;
  const tok = await call("POST", "/token/refresh", body);
  await enter(tok, epoch);
}

$("signin").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const epoch = state.epoch;
  try {
    const res = await call("POST", "/login/password", { identifier: $("identifier").value, password: $("password").value });
    $("password").value = "";
    if (res.second_factor_required) {
      state.challenge = res.challenge_token;
      $("totp-factor").hidden = !res.methods.includes("totp");
      $("passkey-factor").hidden = !res.methods.includes("passkey");
      show("second");
      status(res.methods.includes("totp") ? "Enter the code of your authenticator app, or use a passkey." : "Confirm with your passkey.");
      return;
    }
    await enter(res, epoch);
    if (!stale(epoch)) status("Signed in.");
  } catch (e) {
    if (!stale(epoch)) status("Sign-in failed: " + e.message, true);
  }
});

$("second").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const epoch = state.epoch;
  try {
    const res = await call("POST", "/login/totp", { challenge_token: state.challenge, code: $("code").value });
    $("code").value = "";
    await enter(res, epoch);
    if (!stale(epoch)) status("Signed in.");
  } catch (e) {
    if (!stale(epoch)) status("That code did not work: " + e.message, true);
  }
});

$("passkey-signin").addEventListener("click", async () => {
  const epoch = state.epoch;
  try {
    const id = $("identifier").value;
    await enter(await passkeySignIn(id ? { identifier: id } : {}), epoch);
    if (!stale(epoch)) status("Signed in with a passkey.");
  } catch (e) {
    if (!stale(epoch)) status("Passkey sign-in failed: " + e.message, true);
  }
});

$("passkey-second").addEventListener("click", async () => {
  const epoch = state.epoch;
  try {
    await enter(await passkeySignIn({ challenge_token: state.challenge }), epoch);
    if (!stale(epoch)) status("Signed in with a password and a passkey.");
  } catch (e) {
    if (!stale(epoch)) status("Passkey sign-in failed: " + e.message, true);
  }
});

$("passkey-add").addEventListener("click", async () => {
  const epoch = state.epoch;
  try {
    const path = "/users/" + state.user.id + "/passkeys";
    const reg = await call("POST", path + "/registration", undefined, state.access);
    const cred = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(reg.options),
    });
    await call("POST", path, { registration_id: reg.registration_id, credential: cred.toJSON(), name: $("passkey-name").value }, state.access);
    $("passkey-name").value = "";
    if (stale(epoch)) return;
    await listPasskeys();
    if (!stale(epoch)) status("Passkey added.");
  } catch (e) {
    if (!stale(epoch)) status("Adding a passkey failed (sign in again within 5 minutes first): " + e.message, true);
  }
});

$("refresh").addEventListener("click", async () => {
  const epoch = state.epoch;
  try {
    await refresh(epoch);
    if (!stale(epoch)) status("Access token refreshed.");
  } catch (e) {
    if (stale(epoch)) return;
    status("Refresh failed: " + e.message, true);
    show("signin");
  }
});

$("signout").addEventListener("click", async () => {
  const access = state.access;
  const epoch = ++state.epoch;
  Object.assign(state, { access: "", refresh: "", user: null });
  show("signin");
  try {
    await call("POST", "/logout", undefined, access); // ends the session, clears the cookie
  } catch (e) {
    // Signed out already.
  }
  if (!stale(epoch)) status("Signed out.");
});

// On load, resume the session of the refresh cookie, if any (cookie mode).
(async () => {
  const epoch = state.epoch;
  try {
    await refresh(epoch);
    if (!stale(epoch)) status("Welcome back.");
  } catch (e) {
    if (!stale(epoch)) show("signin");
  }
})();
