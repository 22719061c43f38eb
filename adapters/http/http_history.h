// The history and audit routes of the HTTP API (SPEC §4): GET /api/v1/history,
// GET /api/v1/history/{id}, POST /api/v1/admin/purge|redact, GET /api/v1/audit. Thin handlers:
// authenticate, turn the query string or body into the core's types, call core::Service, reply.
// Role checks and auditing are the core's.
//
// Thread-safety: handlers run on the server's thread pool.
#pragma once

namespace planbot::adapters {

class HttpServer;

void InstallHistoryRoutes(HttpServer& http);

}  // namespace planbot::adapters
