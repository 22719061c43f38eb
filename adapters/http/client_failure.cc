#include "adapters/http/client_failure.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <system_error>

namespace planbot::adapters {
namespace {

std::string Endpoint(const RequestTarget& target) {
  std::string host =
      target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  return host + ":" + std::to_string(target.port);
}

std::string Seconds(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// One non-blocking connect to `address` within `timeout`: 0 when it connected, else the errno
// (ETIMEDOUT when the timeout passed).
int ConnectOnce(const addrinfo& address, std::chrono::seconds timeout) {
  int fd = socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  address.ai_protocol);
  if (fd < 0) return errno;
  int result = 0;
  if (connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    result = errno;
    if (result == EINPROGRESS) {
      pollfd waiting{fd, POLLOUT, 0};
      int ready = 0;
      do {
        ready = poll(&waiting, 1, static_cast<int>(timeout.count() * 1000));
      } while (ready < 0 && errno == EINTR);
      if (ready == 0) {
        result = ETIMEDOUT;
      } else if (ready < 0) {
        result = errno;
      } else {
        socklen_t length = sizeof result;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &result, &length) != 0) result = errno;
      }
    }
  }
  close(fd);
  return result;
}

}  // namespace

std::string ProbeConnect(const RequestTarget& target) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int resolved =
      getaddrinfo(target.host.c_str(), std::to_string(target.port).c_str(), &hints, &found);
  if (resolved != 0) {
    std::string why = resolved == EAI_SYSTEM ? ErrnoText(errno) : gai_strerror(resolved);
    return "cannot resolve host " + target.host + ": " + why;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  int error = 0;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    error = ConnectOnce(*a, target.connect_timeout);
    if (error == 0) return "the connection to " + Endpoint(target) + " failed (it answers now)";
  }
  const std::string endpoint = Endpoint(target);
  switch (error) {
    case ECONNREFUSED:
      return "connection refused (nothing listens on " + endpoint + ")";
    case ETIMEDOUT:
      return "timed out connecting to " + endpoint + " after " + Seconds(target.connect_timeout);
    case ENETUNREACH:
    case EHOSTUNREACH:
      return endpoint + " is unreachable: " + ErrnoText(error);
    default:
      return "cannot connect to " + endpoint + ": " + ErrnoText(error);
  }
}

std::string DescribeRequestFailure(httplib::Error error, const RequestTarget& target,
                                   std::chrono::steady_clock::duration elapsed) {
  const std::string endpoint = Endpoint(target);
  switch (error) {
    case httplib::Error::Connection:
      return ProbeConnect(target);
    case httplib::Error::ConnectionTimeout:
      return "timed out connecting to " + endpoint + " after " + Seconds(target.connect_timeout);
    case httplib::Error::Read:
      // httplib says Read both when the read timeout passed and when the peer closed.
      if (elapsed + std::chrono::seconds(1) >= target.read_timeout) {
        return "timed out: no answer from " + endpoint + " within " + Seconds(target.read_timeout) +
               " (see --timeout)";
      }
      return "the connection to " + endpoint + " was closed before the answer came";
    case httplib::Error::Write:
      return "the connection to " + endpoint + " was closed while the command was sent";
    case httplib::Error::SSLConnection:
      return "TLS handshake with " + endpoint + " failed (does it serve HTTPS? " +
             "for plain HTTP use an http:// URL)";
    case httplib::Error::SSLServerVerification:
      return "TLS certificate of " + endpoint +
             " could not be verified (untrusted issuer, expired, or issued for another name)";
    case httplib::Error::SSLLoadingCerts:
      return "TLS: the system's CA certificates could not be loaded";
    case httplib::Error::ExceedRedirectCount:
      return "too many redirects from " + endpoint;
    case httplib::Error::Compression:
      return "the answer's compression could not be decoded";
    case httplib::Error::Canceled:
      return "the request was cancelled";
    case httplib::Error::BindIPAddress:
      return "cannot bind the local address";
    default:
      break;
  }
  return "the request to " + endpoint + " failed (" + httplib::to_string(error) + ")";
}

}  // namespace planbot::adapters
