// Telemetry: the measuring points of planbot's components, as an interface. main builds the
// implementation (adapters/metrics: Prometheus counters and histograms behind GET /metrics) and
// hands a pointer to each component; a component given none measures nothing.
//
// Labels are closed vocabularies only — channel ("http", "slack"), command name, outcome,
// configured database name, Slack endpoint — never a user, a session, SQL or an id.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <string_view>

namespace planbot {

class Telemetry {
 public:
  virtual ~Telemetry() = default;

  // A command answered: its channel, command name ("" when it did not parse), outcome (ok,
  // error, refused, timeout, ...) and the time from its arrival to its answer.
  virtual void CommandDone(std::string_view channel, std::string_view command,
                           std::string_view outcome, double seconds) = 0;
  // The EXPLAIN round trip of plan or explain on a clone (the pipeline, without analysis).
  virtual void ExplainDone(std::string_view database, std::string_view command, double seconds) = 0;
  // A session asked its database's provider for a clone (from the warm pool or made).
  virtual void CloneAcquired(std::string_view database, double seconds, bool ok) = 0;
  // One write to the store (a command's history and audit entries, or an audit event).
  virtual void StoreWrite(double seconds, bool ok) = 0;
  // An authentication failure on a channel ("http", "slack").
  virtual void AuthFailure(std::string_view channel) = 0;
  // Slack: an endpoint ("events", "commands") answered Slack in `seconds`.
  virtual void SlackAck(std::string_view endpoint, double seconds) = 0;
  // Slack: an answer delivered (or given up on) to a channel.
  virtual void SlackDelivery(bool ok) = 0;
  // Slack: a Web API call retried (rate limit, server error, network).
  virtual void SlackRetry() = 0;
};

}  // namespace planbot
