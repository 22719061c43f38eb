// Reading typed values out of a yaml-cpp node tree against a fixed schema, for config_yaml.cc.
//
// Every value is addressed by its key path ("databases[1].dblab.url") so that an error can name
// it: "config: <path>: <what is wrong>". Scalars have `${VAR}` expanded through an injected
// EnvLookup before they are converted; keys are never expanded.
//
// Errors are sticky: the first one is kept and every later call does nothing, so section readers
// are straight-line code that checks `failed()` once at the end. Absent keys and explicit nulls
// (`key:` with no value) leave the output untouched: the struct initializer is the default, and
// ValidateConfig reports values that are required.
//
// Messages never quote the value of a string field (it may be a secret); they quote the raw text
// of durations, numbers, booleans and choices, before expansion.
//
// Thread-safety: one ReadState per parse; not shared between threads. Does not throw.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "core/config.h"

namespace planbot::adapters {

// Expands `${NAME}` (NAME: letters, digits, underscore, not starting with a digit) in `text`;
// `$${` is a literal `${`. A `$` not followed by `{` stays as it is. Errors name `path`.
Result<std::string> ExpandEnv(const std::string& text, const std::string& path,
                              const core::EnvLookup& env);

// "config: <path>: <what>", or "config: <what>" when path is empty.
Error ConfigError(const std::string& path, const std::string& what);

// The environment and the first error of one parse.
//
// Or, constructed with `key_paths`, a walk of the schema instead of a parse: every map reads as
// present and empty whatever the node, every list as one element (path "key[]"), no value is
// read and nothing fails; each map appends the paths of the keys it accepts to `*key_paths`
// (once each, in reading order). This is how ConfigKeyPaths() lists the schema from the very
// code that enforces it.
class ReadState {
 public:
  explicit ReadState(const core::EnvLookup& env) : env_(env) {}
  ReadState(const core::EnvLookup& env, std::vector<std::string>* key_paths)
      : env_(env), key_paths_(key_paths) {}

  void Fail(const std::string& path, const std::string& what);
  void Fail(Error error);
  bool failed() const { return error_.has_value(); }
  const Error& error() const { return *error_; }
  const core::EnvLookup& env() const { return env_; }

  bool schema_walk() const { return key_paths_ != nullptr; }
  // Appends `path` to the key paths of a schema walk unless it is there already.
  void RecordKey(const std::string& path);

 private:
  const core::EnvLookup& env_;
  std::vector<std::string>* key_paths_ = nullptr;
  std::optional<Error> error_;
};

// One YAML map of the schema. Construction checks that the node is a map whose keys are all
// in `keys`, each once; reading a key that is absent or null does nothing.
class MapReader {
 public:
  MapReader(ReadState& state, const YAML::Node& node, std::string path,
            std::initializer_list<const char*> keys);

  // False when the node was not a usable map (the error is recorded), or for Map() of an absent
  // key (no error). Reading from a reader that is not ok() does nothing.
  bool ok() const { return ok_; }
  ReadState& state() const { return state_; }

  // The map at `key`, with its own schema.
  MapReader Map(const char* key, std::initializer_list<const char*> keys);

  // True when the key is present with a non-null value.
  bool Has(const char* key) const;
  YAML::Node Child(const char* key) const;
  std::string Path(const char* key) const;

  void String(const char* key, std::string* out);
  // One of `choices`; the message lists them.
  void Choice(const char* key, std::initializer_list<const char*> choices, std::string* out);
  void Int(const char* key, int* out);
  void Bool(const char* key, bool* out);
  void Duration(const char* key, core::Millis* out);
  void Duration(const char* key, core::Seconds* out);  // whole seconds only
  void StringList(const char* key, std::vector<std::string>* out);
  // Calls `each(element, "key[i]")` for every element of a list.
  void List(const char* key,
            const std::function<void(const YAML::Node&, const std::string&)>& each);

 private:
  // A reader that is not ok(), for an absent section.
  MapReader(ReadState& state, std::string path) : state_(state), path_(std::move(path)) {}

  // The expanded text of a scalar at `key`; nullopt when absent, null, or on error.
  std::optional<std::string> Scalar(const char* key, const char* expected);
  std::optional<core::Millis> ReadDuration(const char* key);
  void Fail(const char* key, const std::string& what);

  ReadState& state_;
  YAML::Node node_;
  std::string path_;
  bool ok_ = false;
};

// The expanded text of a scalar node at `path`; records an error ("expected <expected>") when
// the node is not a scalar.
std::optional<std::string> ReadScalar(ReadState& state, const YAML::Node& node,
                                      const std::string& path, const char* expected);

// "a list", "a map", "a scalar" or "no value", for messages.
const char* NodeKindName(const YAML::Node& node);

}  // namespace planbot::adapters
