// The web view's routes (docs/web.md): the pages (`/`, `/plans/{id}`, `/compare/{a}/{b}`,
// `/analyze`, `/login`), their files under `/assets/`, login and logout, and the JSON the pages
// use besides the history API: `GET /api/v1/session`, `GET /api/v1/compare`,
// `POST /api/v1/analyze`.
//
// Every response carries `Content-Security-Policy: default-src 'self'` (plus `img-src data:`
// for Bootstrap's inline icons), `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and
// `Referrer-Policy: same-origin`. Pages follow the API's access rules (HttpServer::Identify);
// with tokens configured, a page without a session redirects to /login.
//
// Thread-safety: handlers run on the server's pool; the state they touch (sessions, assets,
// the service) is thread-safe.
#pragma once

#include <string>

namespace planbot::adapters {

class HttpServer;

void InstallWebRoutes(HttpServer& http);

// The link to history entry `id` under `public_url` ("" when public_url is empty).
std::string EntryUrl(const std::string& public_url, int64_t id);

}  // namespace planbot::adapters
