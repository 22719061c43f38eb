// Masking of constants in SQL expressions as EXPLAIN prints them, before they are stored.
//
// Plans print the constants of the query (`(email = 'bob@example.com'::text)`); when history keeps
// plans with masked literals (the default, see SECURITY.md) every such constant is replaced by a
// placeholder: `(email = $1::text)`. PostgreSQL's own scanner finds the constants, so quoting
// tricks (`'a''b'`, `E'\''`, `$tag$...$tag$`, `U&'...'`) cannot smuggle a value past the mask.
//
// What can fail: nothing is reported. Text the scanner rejects (an unterminated quote, a cut-off
// plan line) is masked conservatively: from the first byte that could start a literal to the end
// everything becomes one placeholder, so a partial literal never survives.
//
// Thread-safety: safe to call from any thread concurrently.
#pragma once

#include <string>
#include <string_view>

namespace planbot::analyzer {

// Replaces every string, bit-string, hex-string and numeric constant with `$n`, numbered in order
// of appearance from 1 — or, when the text already holds parameters, from one past the highest
// (as pg_query_normalize does), so that a placeholder never reads like an existing parameter.
// Every other byte (identifiers, quoted identifiers, casts, operators, `$n` parameters, keywords
// such as true/false/null, whitespace, EXPLAIN's own `SubPlan 1` / `InitPlan 1` labels) is kept
// unchanged, except that a space separates a placeholder from a name byte that followed the
// constant (`'a'b` → `$1 b`, not `$1b`) or that preceded it (`$''` → `$ $1`, `a''` → `a $1`), so
// that the masked text masks to itself.
std::string MaskLiterals(std::string_view expression);

}  // namespace planbot::analyzer
