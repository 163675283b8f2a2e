// The console under test: a single-page app on its own origin that signs in with the
// authorization code flow and PKCE through oidc-client-ts, then calls Portico's APIs with the
// access token (cross-origin, so through CORS). `config.js`, written by the test, sets
// PORTICO (Portico's base URL) and CLIENT_ID.
"use strict";

const manager = new oidc.UserManager({
  authority: PORTICO + "/auth/realms/master",
  client_id: CLIENT_ID,
  redirect_uri: location.origin + "/callback.html",
  post_logout_redirect_uri: location.origin + "/signed-out.html",
  response_type: "code",
  scope: "openid management",
  userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
});

function show(text) {
  document.getElementById("result").textContent = text;
}

// GET /users with the token, the realm header and HAL (a preflighted request); reports the
// status and an exposed response header.
async function callApi(token) {
  const response = await fetch(PORTICO + "/users", {
    headers: { Authorization: "Bearer " + token, realm: "master", Accept: "application/hal+json" },
  });
  const requestId = response.headers.get("X-Request-Id") ? "request-id" : "no-request-id";
  if (!response.ok) {
    return response.status + " " + requestId;
  }
  const body = await response.json();
  const users = body._embedded && body._embedded.users ? body._embedded.users.length : 0;
  return response.status + " " + requestId + " users=" + users;
}

async function run(step) {
  try {
    await step();
  } catch (error) {
    show("error: " + (error && error.message ? error.message : String(error)));
  }
}

const page = location.pathname;
if (page === "/" || page === "/index.html") {
  document.getElementById("login").addEventListener("click", () => run(() => manager.signinRedirect()));
  show("ready");
} else if (page === "/callback.html") {
  run(async () => {
    const user = await manager.signinRedirectCallback();
    sessionStorage.setItem("earlier-token", user.access_token);
    const api = await callApi(user.access_token);
    document.getElementById("logout").addEventListener("click", () => run(() => manager.signoutRedirect()));
    show("signed-in " + user.profile.email + " " + user.scope + " " + api);
  });
} else if (page === "/signed-out.html") {
  run(async () => {
    await manager.signoutRedirectCallback();
    const api = await callApi(sessionStorage.getItem("earlier-token"));
    show("signed-out " + api);
  });
}
