// Quoting of SQL identifiers for display, exactly as PostgreSQL's quote_identifier() does it.
//
// The plan renderer calls QuoteIdentifier for every relation, index and alias name so that plan
// text reads like PostgreSQL's own EXPLAIN: `orders` stays bare, `Order Items`, `select` and
// `*VALUES*` get double quotes, embedded double quotes are doubled.
//
// What can fail: nothing; every input yields a valid quoted or bare identifier.
//
// Thread-safety: safe to call from any thread. The keyword table is built once, on first use,
// from the PostgreSQL scanner (thread-safe static initialisation); after that no call touches the
// scanner.
#pragma once

#include <string>
#include <string_view>

namespace planbot::analyzer {

// Bare iff `ident` is non-empty, starts with [a-z_], holds only [a-z0-9_] and is not a keyword
// other than an unreserved one; otherwise wrapped in double quotes with `"` doubled.
std::string QuoteIdentifier(std::string_view ident);

}  // namespace planbot::analyzer
