// PrometheusTelemetry: planbot's measuring points (common/telemetry.h) as Prometheus metrics,
// and their text exposition format for GET /metrics. Names follow Prometheus' conventions: a
// `planbot_` prefix, base units (`_seconds`), `_total` for counters; labels are closed
// vocabularies (channel, command, outcome, configured database, Slack endpoint), never a user.
//
// Gauges that describe the present (sessions, queued commands, clone pools) are not pushed: the
// caller reads them at scrape time and passes them to Render().
//
// prometheus-cpp stays behind this header. Thread-safety: every method may be called from any
// thread; Render() too.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/telemetry.h"

namespace planbot::adapters {

// The present state /metrics shows as gauges.
struct MetricsGauges {
  bool ready = true;  // taking commands (false while draining)
  double sessions = 0;
  double queued = 0;
  struct Pool {
    double warm = 0;
    double leased = 0;
  };
  std::map<std::string, Pool> pools;  // by configured database
};

class PrometheusTelemetry : public Telemetry {
 public:
  // `version` becomes the build info metric's label.
  explicit PrometheusTelemetry(const std::string& version);
  ~PrometheusTelemetry() override;

  void CommandDone(std::string_view channel, std::string_view command, std::string_view outcome,
                   double seconds) override;
  void ExplainDone(std::string_view database, std::string_view command, double seconds) override;
  void CloneAcquired(std::string_view database, double seconds, bool ok) override;
  void StoreWrite(double seconds, bool ok) override;
  void AuthFailure(std::string_view channel) override;
  void SlackAck(std::string_view endpoint, double seconds) override;
  void SlackDelivery(bool ok) override;
  void SlackRetry() override;

  // Every metric in the text exposition format (version 0.0.4), with `gauges` set first.
  std::string Render(const MetricsGauges& gauges);

  // The Content-Type of Render()'s text.
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace planbot::adapters
