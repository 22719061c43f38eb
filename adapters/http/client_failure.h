// Why a request of cpp-httplib's client got no response, in words a user can act on:
// "connection refused", "timed out", "TLS handshake failed", "cannot resolve host", instead of
// httplib's bare enum names ("Connection", "Read", "SSLConnection").
//
// httplib reports a name that does not resolve, a refused connection and an unreachable network
// all as Error::Connection; DescribeRequestFailure tells them apart by resolving the host and
// connecting once more itself (ProbeConnect), which costs at most one connection timeout.
//
// Thread-safety: functions of their arguments (ProbeConnect uses the network); never throw.
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>

namespace planbot::adapters {

struct RequestTarget {
  std::string host;  // as in the URL; an IPv6 address without brackets
  int port = 0;
  bool tls = false;  // https
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds read_timeout{120};
};

// "connection refused (nothing listens on HOST:PORT)", "cannot resolve host HOST: <why>",
// "timed out connecting to HOST:PORT after N s", "HOST:PORT is unreachable: <why>", ...; a
// connection that succeeds now gives "the connection to HOST:PORT failed (it answers now)".
std::string ProbeConnect(const RequestTarget& target);

// One phrase for httplib's `error` on a request to `target` that failed after `elapsed`.
// Error::Connection is diagnosed with ProbeConnect.
std::string DescribeRequestFailure(httplib::Error error, const RequestTarget& target,
                                   std::chrono::steady_clock::duration elapsed);

}  // namespace planbot::adapters
