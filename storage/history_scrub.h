// What the history keeps of a finished command may be no more than what could be answered
// (SPEC §6; SECURITY.md: "the store"). Rows written before the rules of issue 12 can hold server
// error texts that quoted a value, values of EXPLAIN's Settings computed from data, and comments
// of the user's SQL in the normalized text. ScrubHistoryEntry rebuilds those parts from what is
// safe: a database error's message from its SQLSTATE alone, every Settings value withheld (in the
// plan JSON and its text), the normalized text without comments. Migration 6 runs it over every
// row; redact runs it over the entries it matches.
//
// Only the fields named above change; figures, names and the rest stay. Idempotent.
// Thread-safety: pure functions.
#pragma once

#include "storage/sqlite_db.h"
#include "storage/store.h"

namespace planbot::storage {

// Scrubs one entry in place; returns whether anything changed.
bool ScrubHistoryEntry(HistoryEntry& entry);

// Migration 6's step: every history row through ScrubHistoryEntry, in id order, inside the
// migration's transaction.
Status ScrubHistoryRows(SqliteDb& db);

}  // namespace planbot::storage
