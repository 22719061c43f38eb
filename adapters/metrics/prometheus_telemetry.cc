#include "adapters/metrics/prometheus_telemetry.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>

namespace planbot::adapters {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// Seconds, from a fast plan (1 ms) to the statement timeout's range (30 s and more).
const Histogram::BucketBoundaries& CommandBuckets() {
  static const Histogram::BucketBoundaries kBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return kBuckets;
}

// A store write: an fsync'd group commit is around a millisecond; seconds mean trouble.
const Histogram::BucketBoundaries& StoreBuckets() {
  static const Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  return kBuckets;
}

// Making a clone: from the warm pool (milliseconds) to a thin clone (a minute or more).
const Histogram::BucketBoundaries& CloneBuckets() {
  static const Histogram::BucketBoundaries kBuckets = {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1,
                                                       2.5,   5,    10,   30,  60,   120, 300};
  return kBuckets;
}

// Slack wants an answer within 3 s.
const Histogram::BucketBoundaries& AckBuckets() {
  static const Histogram::BucketBoundaries kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,   0.25,   0.5,   1,    2,     3};
  return kBuckets;
}

std::string S(std::string_view v) { return std::string(v); }

}  // namespace

struct PrometheusTelemetry::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  Family<Gauge>& build_info = BuildGauge()
                                  .Name("planbot_build_info")
                                  .Help("planbot's version; the value is always 1")
                                  .Register(*registry);
  Family<Counter>& commands = BuildCounter()
                                  .Name("planbot_commands_total")
                                  .Help("Commands answered, by channel, command and outcome")
                                  .Register(*registry);
  Family<Histogram>& command_seconds =
      BuildHistogram()
          .Name("planbot_command_duration_seconds")
          .Help("Time from a command's arrival to its answer, by channel and command")
          .Register(*registry);
  Family<Histogram>& explain_seconds =
      BuildHistogram()
          .Name("planbot_explain_duration_seconds")
          .Help("EXPLAIN round trips on clones (plan and explain), by database and command")
          .Register(*registry);
  Family<Histogram>& clone_seconds =
      BuildHistogram()
          .Name("planbot_clone_acquire_duration_seconds")
          .Help("Time to get a clone for a session (warm pool or made), by database and outcome")
          .Register(*registry);
  Family<Histogram>& store_seconds =
      BuildHistogram()
          .Name("planbot_store_write_duration_seconds")
          .Help("Writes of history and audit entries to the store, commit included")
          .Register(*registry);
  Family<Counter>& store_failures = BuildCounter()
                                        .Name("planbot_store_write_failures_total")
                                        .Help("Store writes that failed")
                                        .Register(*registry);
  Family<Counter>& auth_failures = BuildCounter()
                                       .Name("planbot_auth_failures_total")
                                       .Help("Authentication failures, by channel")
                                       .Register(*registry);
  Family<Histogram>& slack_ack_seconds =
      BuildHistogram()
          .Name("planbot_slack_ack_duration_seconds")
          .Help("Time to acknowledge a Slack request, by endpoint (events, commands)")
          .Register(*registry);
  Family<Counter>& slack_deliveries = BuildCounter()
                                          .Name("planbot_slack_deliveries_total")
                                          .Help("Answers delivered to Slack, by outcome")
                                          .Register(*registry);
  Family<Counter>& slack_retries = BuildCounter()
                                       .Name("planbot_slack_api_retries_total")
                                       .Help("Slack Web API calls retried")
                                       .Register(*registry);
  Family<Gauge>& ready = BuildGauge()
                             .Name("planbot_ready")
                             .Help("1 while planbot takes commands, 0 while it drains")
                             .Register(*registry);
  Family<Gauge>& sessions =
      BuildGauge().Name("planbot_sessions").Help("Open sessions").Register(*registry);
  Family<Gauge>& queued = BuildGauge()
                              .Name("planbot_queued_commands")
                              .Help("Commands running or waiting in a session's lane")
                              .Register(*registry);
  Family<Gauge>& pool = BuildGauge()
                            .Name("planbot_clones")
                            .Help(
                                "Clones held, by database and state (warm: ready in the "
                                "pool; leased: used by a session)")
                            .Register(*registry);
  std::mutex render_mu;  // one scrape sets the gauges and serializes at a time
};

PrometheusTelemetry::PrometheusTelemetry(const std::string& version)
    : impl_(std::make_unique<Impl>()) {
  impl_->build_info.Add({{"version", version}}).Set(1);
  impl_->store_failures.Add({});
  impl_->slack_retries.Add({});
  for (const char* channel : {"http", "slack"}) impl_->auth_failures.Add({{"channel", channel}});
  for (const char* outcome : {"ok", "failed"}) {
    impl_->slack_deliveries.Add({{"outcome", outcome}});
  }
  // Series with fixed labels exist from the start (at 0), so dashboards and alerts see them.
  impl_->store_seconds.Add({}, StoreBuckets());
  for (const char* endpoint : {"events", "commands"}) {
    impl_->slack_ack_seconds.Add({{"endpoint", endpoint}}, AckBuckets());
  }
}

PrometheusTelemetry::~PrometheusTelemetry() = default;

void PrometheusTelemetry::CommandDone(std::string_view channel, std::string_view command,
                                      std::string_view outcome, double seconds) {
  const std::string name = command.empty() ? "none" : S(command);
  impl_->commands.Add({{"channel", S(channel)}, {"command", name}, {"outcome", S(outcome)}})
      .Increment();
  impl_->command_seconds.Add({{"channel", S(channel)}, {"command", name}}, CommandBuckets())
      .Observe(seconds);
}

void PrometheusTelemetry::ExplainDone(std::string_view database, std::string_view command,
                                      double seconds) {
  impl_->explain_seconds.Add({{"database", S(database)}, {"command", S(command)}}, CommandBuckets())
      .Observe(seconds);
}

void PrometheusTelemetry::CloneAcquired(std::string_view database, double seconds, bool ok) {
  impl_->clone_seconds
      .Add({{"database", S(database)}, {"outcome", ok ? "ok" : "failed"}}, CloneBuckets())
      .Observe(seconds);
}

void PrometheusTelemetry::StoreWrite(double seconds, bool ok) {
  impl_->store_seconds.Add({}, StoreBuckets()).Observe(seconds);
  if (!ok) impl_->store_failures.Add({}).Increment();
}

void PrometheusTelemetry::AuthFailure(std::string_view channel) {
  impl_->auth_failures.Add({{"channel", S(channel)}}).Increment();
}

void PrometheusTelemetry::SlackAck(std::string_view endpoint, double seconds) {
  impl_->slack_ack_seconds.Add({{"endpoint", S(endpoint)}}, AckBuckets()).Observe(seconds);
}

void PrometheusTelemetry::SlackDelivery(bool ok) {
  impl_->slack_deliveries.Add({{"outcome", ok ? "ok" : "failed"}}).Increment();
}

void PrometheusTelemetry::SlackRetry() { impl_->slack_retries.Add({}).Increment(); }

std::string PrometheusTelemetry::Render(const MetricsGauges& gauges) {
  std::lock_guard<std::mutex> guard(impl_->render_mu);
  impl_->ready.Add({}).Set(gauges.ready ? 1 : 0);
  impl_->sessions.Add({}).Set(gauges.sessions);
  impl_->queued.Add({}).Set(gauges.queued);
  for (const auto& [database, pool] : gauges.pools) {
    impl_->pool.Add({{"database", database}, {"state", "warm"}}).Set(pool.warm);
    impl_->pool.Add({{"database", database}, {"state", "leased"}}).Set(pool.leased);
  }
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace planbot::adapters
