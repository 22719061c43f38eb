-- The EXPLAIN fidelity corpus: statements on the schema of schema.sql, each run by
-- tests/analyzer/fidelity_test.cc as `EXPLAIN (<options>, FORMAT JSON)` and
-- `EXPLAIN (<options>, FORMAT TEXT)` under each of its modes; the JSON, rendered by
-- planbot::analyzer::RenderText, must equal the TEXT output byte for byte.
--
-- Format (parsed by fidelity_corpus.cc and check_determinism.py):
--   * Before the first entry, `-- session: SQL` lines are run once per connection.
--   * An entry starts with `-- name: NAME` ([a-z0-9_]+, unique), followed by header lines:
--       -- modes: MODE, ...        required; see below
--       -- expect: TYPE, ...       required; each must be a "Node Type" in the JSON of some mode
--       -- expect_text: TEXT, ...  optional; each must appear in the TEXT output of some mode
--                                  (lists are comma-separated, so TEXT cannot hold a comma)
--       -- setup: SQL             optional, repeatable; run inside each run's transaction
--       -- note: TEXT             optional; for humans (why a setup or mode choice was made)
--     The statement follows: every line up to the next `-- name:`, without its final ';'.
--   * Modes and their EXPLAIN options:
--       plan              COSTS                 (default output)
--       plan_verbose      VERBOSE
--       costs_off         COSTS OFF
--       plan_buffers      BUFFERS               (planning buffers only; after one warm-up run)
--       analyze           ANALYZE, TIMING OFF, SUMMARY OFF
--       analyze_verbose   ANALYZE, TIMING OFF, SUMMARY OFF, VERBOSE
--       analyze_costs_off ANALYZE, TIMING OFF, SUMMARY OFF, COSTS OFF
--       analyze_timing    ANALYZE               (compared with every n.nnn number masked)
--       buffers           ANALYZE, TIMING OFF, SUMMARY OFF, BUFFERS (after one warm-up run)
--       settings          SETTINGS
--       wal               ANALYZE, TIMING OFF, SUMMARY OFF, WAL (after a CHECKPOINT, per run)
--   * Each run (JSON or TEXT) is its own transaction: BEGIN; setup; EXPLAIN; ROLLBACK. So setup
--     SETs and DDL vanish after the run and DML leaves no visible change.
--
-- Determinism rules (check_determinism.py checks them; schema.sql explains the data side):
--   * the two runs of a pair must print the same figures, so every mode of an entry was checked
--     to give identical output run after run, on a freshly loaded database and on a used one;
--   * parallel query is off unless an entry turns it on; parallel plans run under ANALYZE only
--     where nothing per worker is printed (non-verbose, no Sort, Hash or HashAggregate under the
--     Gather, no BUFFERS, no Parallel Append): workers draw blocks and partitions dynamically;
--   * read-only entries never touch the tables that DML entries change (a rolled-back insert
--     leaves index entries that the next index-only scan visits, then marks dead);
--   * DML runs under ANALYZE but never with BUFFERS; WAL only on tables created inside the
--     transaction, or on a DELETE right after a CHECKPOINT (so full-page images repeat);
--   * timings only in analyze_timing, compared masked; JIT only in jit_plan, without timing.
--
-- session: SET jit = off
-- session: SET max_parallel_workers_per_gather = 0
-- session: SET TimeZone = 'UTC'
-- session: SET DateStyle = 'ISO, MDY'
-- session: SET IntervalStyle = 'postgres'
-- session: SET extra_float_digits = 1
-- session: SET client_min_messages = warning
-- session: SET statement_timeout = '60s'

-- Scans ------------------------------------------------------------------------------------------

-- name: seq_scan_filter
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers, plan_buffers, analyze_timing
-- expect: Seq Scan
-- expect_text: Rows Removed by Filter
SELECT id, name, country FROM customers WHERE name LIKE '%99%' AND is_active;

-- name: seq_scan_all_columns
-- modes: plan, plan_verbose, analyze_costs_off, buffers
-- expect: Seq Scan
SELECT * FROM products;

-- name: index_scan_pk
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Index Scan
-- expect_text: Index Cond
SELECT * FROM orders WHERE id = 4242;

-- name: index_scan_any_array
-- modes: plan, plan_verbose, analyze, buffers
-- expect: Index Scan
-- expect_text: = ANY
SELECT id, status, total FROM orders WHERE id = ANY (ARRAY[5, 50, 500, 5000, 50000]::bigint[]);

-- name: index_scan_filter
-- setup: SET enable_bitmapscan = off
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Index Scan
-- expect_text: Rows Removed by Filter
SELECT id, ordered_at FROM orders WHERE customer_id = 500 AND total > 500;

-- name: index_scan_backward_limit
-- modes: plan, plan_verbose, costs_off, analyze, buffers
-- expect: Limit, Index Scan
-- expect_text: Index Scan Backward
SELECT id, total FROM orders ORDER BY id DESC LIMIT 5;

-- name: index_scan_multicolumn_backward
-- modes: plan, plan_verbose, analyze, buffers
-- expect: Limit, Index Scan
-- expect_text: orders_customer_ordered_idx, Index Scan Backward
SELECT id, ordered_at, total FROM orders WHERE customer_id = 17 ORDER BY ordered_at DESC LIMIT 10;

-- name: index_scan_row_comparison
-- setup: SET enable_bitmapscan = off
-- modes: plan, plan_verbose, analyze
-- expect: Index Scan
-- expect_text: ROW(
SELECT id FROM orders
WHERE (customer_id, ordered_at) > (19990, timestamp '2023-06-01') AND customer_id < 19995
ORDER BY customer_id, ordered_at;

-- name: index_scan_partial
-- modes: plan, plan_verbose, analyze, buffers
-- expect: Limit, Index Scan
-- expect_text: orders_pending_idx
SELECT id, ordered_at FROM orders
WHERE status = 'pending' AND ordered_at < timestamp '2023-01-15' ORDER BY ordered_at LIMIT 20;

-- name: index_only_scan_heap_fetches
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Index Only Scan
-- expect_text: Heap Fetches
SELECT sensor_id, reading FROM sensor_readings WHERE sensor_id BETWEEN 10 AND 60 AND reading < 3000;

-- name: index_only_scan_count
-- modes: plan, analyze, buffers, plan_buffers
-- expect: Aggregate, Index Only Scan
-- expect_text: Heap Fetches: 0
SELECT count(*) FROM orders WHERE customer_id BETWEEN 100 AND 4000;

-- name: bitmap_heap_scan
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Bitmap Heap Scan, Bitmap Index Scan
-- expect_text: Heap Blocks: exact=, Recheck Cond
SELECT id, total FROM orders WHERE customer_id BETWEEN 5000 AND 6000;

-- name: bitmap_and
-- modes: plan, plan_verbose, analyze, buffers, plan_buffers
-- expect: Bitmap Heap Scan, BitmapAnd, Bitmap Index Scan
SELECT id FROM orders WHERE customer_id BETWEEN 100 AND 300 AND status = 'pending';

-- name: bitmap_or
-- modes: plan, plan_verbose, analyze, buffers
-- expect: Bitmap Heap Scan, BitmapOr, Bitmap Index Scan
SELECT id FROM orders WHERE customer_id = 4242 OR ordered_at BETWEEN timestamp '2023-05-01' AND timestamp '2023-05-02';

-- name: bitmap_lossy
-- note: 64kB of work_mem cannot hold an exact bitmap for ~25000 rows: some pages become lossy.
-- setup: SET work_mem = '64kB'; SET enable_indexscan = off; SET enable_seqscan = off
-- modes: plan, analyze, analyze_verbose, buffers
-- expect: Bitmap Heap Scan, Bitmap Index Scan
-- expect_text: lossy=, Rows Removed by Index Recheck
SELECT count(*) FROM order_items WHERE product_id BETWEEN 100 AND 300 AND qty > 1;

-- name: tid_scan
-- modes: plan, plan_verbose, costs_off, analyze, buffers
-- expect: Tid Scan
-- expect_text: TID Cond
SELECT * FROM customers WHERE ctid = '(3,7)';

-- name: tid_range_scan
-- modes: plan, plan_verbose, analyze, buffers
-- expect: Aggregate, Tid Range Scan
-- expect_text: TID Cond
SELECT count(*) FROM customers WHERE ctid >= '(10,0)' AND ctid < '(20,0)';

-- name: sample_scan_system
-- modes: plan, plan_verbose, costs_off, analyze, buffers
-- expect: Aggregate, Sample Scan
-- expect_text: Sampling: system
SELECT count(*) FROM orders TABLESAMPLE SYSTEM (5) REPEATABLE (42);

-- name: sample_scan_bernoulli
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Sample Scan
-- expect_text: Sampling: bernoulli
SELECT id, name FROM customers TABLESAMPLE BERNOULLI (1.5) REPEATABLE (7) WHERE is_active;

-- name: string_escapes
-- note: JSON escapes quotes, backslashes, tabs and newlines; TEXT splits the newline into two rows.
-- modes: plan, plan_verbose, costs_off, analyze
-- expect: Seq Scan
-- expect_text: O''Brien, Zürich, ☃
SELECT id FROM customers
WHERE name IN ('O''Brien', 'say "hi"', 'back\slash', E'tab\there', E'line\nbreak', 'Zürich', 'naïve ☃');

-- name: knn_order_by
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Limit, Index Scan
-- expect_text: Order By
SELECT id, name, location <-> point '(50,50)' AS distance FROM places
ORDER BY location <-> point '(50,50)' LIMIT 5;

-- name: quoted_identifiers_index
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Index Scan
-- expect_text: "Order Items", "Order Items_pkey", "select"
SELECT "order", "Line", "Qty" FROM "Order Items" WHERE "order" = 4242 AND "select" LIKE 'SKU-0%';

-- name: quoted_identifiers_group
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Sort
-- expect_text: "Line"
SELECT "Line" AS "Line No", count(*) AS "count(*)" FROM "Order Items" AS "OI"
WHERE "OI"."order" < 5000 GROUP BY "Line" ORDER BY "Line" DESC;

-- Joins ------------------------------------------------------------------------------------------

-- name: nested_loop_inner
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers, analyze_timing
-- expect: Nested Loop, Index Scan
SELECT c.name, o.id, o.total FROM customers c JOIN orders o ON o.customer_id = c.id
WHERE c.id = 15000;

-- name: nested_loop_left
-- modes: plan, plan_verbose, analyze, analyze_verbose, buffers
-- expect: Nested Loop
-- expect_text: Nested Loop Left Join
SELECT c.id, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
WHERE c.id BETWEEN 19000 AND 19010;

-- name: nested_loop_semi
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Nested Loop
-- expect_text: Nested Loop Semi Join
SELECT c.id, c.name FROM customers c
WHERE c.id < 40 AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.total > 900);

-- name: nested_loop_anti
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Nested Loop
-- expect_text: Nested Loop Anti Join
SELECT c.id FROM customers c
WHERE c.id BETWEEN 15000 AND 15100 AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id);

-- name: nested_loop_join_filter
-- setup: SET enable_hashjoin = off; SET enable_mergejoin = off
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Nested Loop, Materialize
-- expect_text: Join Filter, Rows Removed by Join Filter
SELECT p.id, c.id FROM products p JOIN categories c ON p.price::int BETWEEN c.id AND c.id + 1
WHERE p.id <= 40 AND c.parent_id IS NULL;

-- name: hash_join_inner
-- setup: SET enable_mergejoin = off; SET enable_nestloop = off
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers, analyze_timing
-- expect: Hash Join, Hash, Seq Scan
-- expect_text: Hash Cond, Buckets:
SELECT c.country, o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE c.segment = 'enterprise' AND o.status = 'cancelled';

-- name: hash_join_left
-- modes: plan, plan_verbose, analyze, analyze_verbose, buffers
-- expect: Hash Join, Hash
-- expect_text: Hash Left Join
SELECT o.id, ca.item_count FROM orders o LEFT JOIN carts ca ON ca.customer_id = o.customer_id
WHERE o.status = 'shipped';

-- name: hash_join_right
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Hash Join, Hash
-- expect_text: Hash Right Join
SELECT c.id, ca.item_count FROM customers c LEFT JOIN carts ca ON ca.customer_id = c.id
WHERE c.country = 'SE';

-- name: hash_join_full
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Hash Join, Hash
-- expect_text: Hash Full Join
SELECT c.id, ca.customer_id FROM (SELECT * FROM customers WHERE country = 'JP') c
FULL JOIN (SELECT * FROM carts WHERE item_count = 3) ca ON ca.customer_id = c.id;

-- name: hash_join_semi
-- setup: SET enable_nestloop = off
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Hash Join, Hash
-- expect_text: Hash Semi Join, Join Filter
SELECT c.id FROM customers c
WHERE c.segment = 'smb' AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.total > c.id / 10);

-- name: hash_join_anti
-- setup: SET enable_mergejoin = off; SET enable_nestloop = off
-- modes: plan, plan_verbose, analyze, analyze_verbose, buffers
-- expect: Hash Join, Hash
-- expect_text: Hash Anti Join
SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id);

-- name: hash_join_batches
-- note: with 64kB of work_mem the hash table is split into batches and spills to temp files.
-- setup: SET work_mem = '64kB'; SET enable_mergejoin = off; SET enable_nestloop = off
-- modes: plan, analyze, analyze_verbose, buffers
-- expect: Hash Join, Hash
-- expect_text: Batches:, temp read=
SELECT count(*) FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.total > 100;

-- name: hash_join_batches_grow
-- note: the planner expects 500 rows of orders and gets 50000: buckets and batches grow.
-- setup: SET work_mem = '256kB'; SET enable_mergejoin = off; SET enable_nestloop = off
-- modes: plan, analyze, analyze_verbose, buffers
-- expect: Hash Join, Hash
-- expect_text: (originally
SELECT count(*) FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.id % 2 = 0;

-- name: join_never_executed
-- modes: plan, analyze, analyze_verbose, analyze_timing
-- expect: Nested Loop, Bitmap Heap Scan
-- expect_text: never executed
SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'nobody';

-- name: merge_join_inner
-- setup: SET enable_hashjoin = off; SET enable_nestloop = off
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers, plan_buffers
-- expect: Merge Join
-- expect_text: Merge Cond
SELECT o.id, oi.line_no, oi.qty FROM orders o JOIN order_items oi ON oi.order_id = o.id
WHERE o.id < 3000;

-- name: merge_join_left
-- setup: SET enable_hashjoin = off; SET enable_nestloop = off
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Merge Join, Index Scan
-- expect_text: Merge Left Join
SELECT c.id, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE c.id < 1000;

-- name: merge_join_right
-- setup: SET enable_hashjoin = off; SET enable_nestloop = off
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Merge Join, Sort, Merge Append
-- expect_text: Merge Right Join
SELECT c.id, ca.item_count FROM customers c LEFT JOIN carts ca ON ca.customer_id = c.id
WHERE c.country = 'PL';

-- name: merge_join_anti
-- modes: plan, plan_verbose, costs_off, analyze, buffers
-- expect: Merge Join, Index Only Scan
-- expect_text: Merge Anti Join
SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id);

-- name: merge_join_full
-- setup: SET enable_hashjoin = off
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Merge Join
-- expect_text: Merge Full Join
SELECT c.id, o.id FROM (SELECT * FROM customers WHERE id < 300) c
FULL JOIN (SELECT * FROM orders WHERE id < 200) o ON o.customer_id = c.id;

-- name: memoize
-- setup: SET enable_hashjoin = off; SET enable_mergejoin = off
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Nested Loop, Memoize, Index Scan
-- expect_text: Cache Key, Hits:
SELECT oi.order_id, p.name FROM order_items oi JOIN products p ON p.id = oi.product_id
WHERE oi.order_id < 1500;

-- name: memoize_evictions
-- setup: SET work_mem = '64kB'; SET enable_hashjoin = off; SET enable_mergejoin = off
-- modes: plan, analyze, analyze_verbose
-- expect: Nested Loop, Memoize
-- expect_text: Evictions: 3
SELECT oi.order_id, p.name FROM order_items oi JOIN products p ON p.id = oi.product_id
WHERE oi.order_id < 5000;

-- name: memoize_binary_lateral
-- setup: SET enable_hashjoin = off; SET enable_mergejoin = off
-- modes: plan, plan_verbose, analyze
-- expect: Nested Loop, Memoize
-- expect_text: Cache Mode: binary
SELECT oi.order_id, s.name FROM order_items oi,
LATERAL (SELECT name FROM products p WHERE p.id = oi.product_id OFFSET 0) s
WHERE oi.order_id < 300;

-- name: materialize_cross_join
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Nested Loop, Materialize
SELECT c.id, w.category FROM customers c
CROSS JOIN (SELECT DISTINCT category FROM products WHERE id < 20) w WHERE c.id < 4;

-- name: lateral_subquery
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Nested Loop, Limit
SELECT c.id, l.id, l.total FROM customers c
CROSS JOIN LATERAL (SELECT id, total FROM orders o WHERE o.customer_id = c.id
                    ORDER BY ordered_at DESC LIMIT 3) l
WHERE c.id < 20;

-- name: lateral_function
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Nested Loop, Function Scan
SELECT c.id, g FROM customers c, LATERAL generate_series(1, c.id % 4) AS g WHERE c.id < 100;

-- name: join_three_way
-- modes: plan, plan_verbose, analyze, analyze_verbose, buffers
-- expect: Hash Join
SELECT c.country, p.category, sum(oi.qty * oi.unit_price)
FROM orders o JOIN customers c ON c.id = o.customer_id
JOIN order_items oi ON oi.order_id = o.id JOIN products p ON p.id = oi.product_id
WHERE o.ordered_at >= timestamp '2023-12-01'
GROUP BY c.country, p.category;

-- Sorting ----------------------------------------------------------------------------------------

-- name: sort_quicksort
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers, analyze_timing
-- expect: Sort, Seq Scan
-- expect_text: Sort Method: quicksort
SELECT id, name, price FROM products WHERE price > 450 ORDER BY price DESC, id;

-- name: sort_external_merge
-- setup: SET work_mem = '64kB'
-- modes: plan, plan_verbose, analyze, analyze_verbose, buffers
-- expect: Sort, Seq Scan
-- expect_text: external merge
SELECT id, note, total FROM orders ORDER BY note NULLS FIRST, total DESC;

-- name: sort_top_n
-- modes: plan, costs_off, analyze, analyze_verbose, buffers
-- expect: Limit, Sort
-- expect_text: top-N heapsort
SELECT id, total FROM orders ORDER BY total DESC, id LIMIT 10;

-- name: sort_nulls_collate
-- modes: plan, plan_verbose, costs_off, analyze
-- expect: Sort
-- expect_text: COLLATE, NULLS FIRST
SELECT name, country FROM customers WHERE id < 500
ORDER BY country COLLATE "C" DESC NULLS LAST, name NULLS FIRST;

-- name: sort_using_operator
-- modes: plan, plan_verbose, analyze
-- expect: Sort
-- expect_text: USING ~<~
SELECT id, name FROM products WHERE id < 100 ORDER BY name USING ~<~, id USING >;

-- name: incremental_sort
-- setup: SET enable_seqscan = off; SET enable_bitmapscan = off
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Incremental Sort, Index Scan
-- expect_text: Presorted Key, Full-sort Groups
SELECT customer_id, total, id FROM orders WHERE customer_id < 4000 ORDER BY customer_id, total DESC LIMIT 200;

-- name: incremental_sort_presorted_groups
-- note: big groups of one customer_id: shows "Pre-sorted Groups" as well.
-- setup: SET enable_seqscan = off; SET enable_bitmapscan = off
-- modes: plan, analyze, analyze_verbose
-- expect: Incremental Sort, Index Scan
-- expect_text: Pre-sorted Groups
SELECT customer_id, total FROM orders WHERE customer_id < 50 ORDER BY customer_id, total;

-- name: distinct_on
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Unique, Sort
SELECT DISTINCT ON (country) country, id, created_on FROM customers ORDER BY country, created_on DESC, id;

-- Aggregation ------------------------------------------------------------------------------------

-- name: aggregate_plain
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Aggregate, Seq Scan
SELECT count(*), sum(total), avg(total), max(ordered_at) FROM orders WHERE note IS NULL;

-- name: aggregate_filter_distinct
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Aggregate
-- expect_text: FILTER
SELECT count(DISTINCT country) AS countries, count(*) FILTER (WHERE is_active) AS active,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY created_on - date '2020-01-01') AS median_age
FROM customers;

-- name: group_aggregate
-- setup: SET enable_hashagg = off
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Aggregate
-- expect_text: GroupAggregate, Group Key
SELECT customer_id, count(*), sum(total) FROM orders WHERE customer_id < 100 GROUP BY customer_id;

-- name: hash_aggregate
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Aggregate
-- expect_text: HashAggregate, Batches: 1
SELECT product_id, sum(qty) FROM order_items GROUP BY product_id HAVING sum(qty) > 400;

-- name: hash_aggregate_spill
-- setup: SET work_mem = '256kB'; SET enable_sort = off; SET enable_indexscan = off
-- modes: plan, plan_verbose, analyze, analyze_verbose, buffers
-- expect: Aggregate
-- expect_text: HashAggregate, Disk Usage, Planned Partitions
SELECT order_id, count(*), sum(qty) FROM order_items GROUP BY order_id;

-- name: mixed_aggregate_rollup
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Aggregate
-- expect_text: MixedAggregate
SELECT segment, count(*) FROM customers GROUP BY ROLLUP (segment);

-- name: grouping_sets_hashed
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Aggregate
-- expect_text: Hash Key
SELECT country, segment, is_active, count(*) FROM customers
GROUP BY GROUPING SETS ((country, segment), (is_active), (segment));

-- name: cube_sorted
-- setup: SET enable_hashagg = off
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Aggregate, Index Only Scan
-- expect_text: GroupAggregate, Sort Key, Group Key: ()
SELECT country, segment, count(*) FROM customers GROUP BY CUBE (country, segment);

-- name: group_node
-- setup: SET enable_hashagg = off
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Group, Index Only Scan
SELECT status FROM orders GROUP BY status;

-- name: unique_node
-- setup: SET enable_hashagg = off
-- modes: plan, plan_verbose, analyze, analyze_verbose, buffers
-- expect: Unique, Index Only Scan
SELECT DISTINCT customer_id FROM orders WHERE customer_id < 500;

-- Windows, limits, locking -----------------------------------------------------------------------

-- name: window_agg_several
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: WindowAgg, Sort
SELECT id, customer_id,
       row_number() OVER (PARTITION BY customer_id ORDER BY ordered_at) AS rn,
       sum(total) OVER (PARTITION BY status) AS status_total,
       rank() OVER w AS total_rank,
       avg(total) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving_avg
FROM orders WHERE customer_id < 30
WINDOW w AS (ORDER BY total DESC);

-- name: window_run_condition
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: WindowAgg, Subquery Scan
-- expect_text: Run Condition
SELECT * FROM (
  SELECT id, customer_id, row_number() OVER (ORDER BY ordered_at) AS rn
  FROM orders WHERE customer_id < 200) s
WHERE rn <= 10;

-- name: window_run_condition_count
-- modes: plan, plan_verbose, analyze
-- expect: WindowAgg
-- expect_text: Run Condition
SELECT * FROM (
  SELECT country, id, count(*) OVER (PARTITION BY country ORDER BY id) AS n
  FROM customers WHERE id < 2000) s
WHERE n < 5;

-- name: limit_offset
-- modes: plan, plan_verbose, costs_off, analyze, buffers
-- expect: Limit, Index Scan
SELECT id, name FROM customers ORDER BY id LIMIT 10 OFFSET 100;

-- name: limit_with_ties
-- modes: plan, plan_verbose, analyze
-- expect: Limit, Sort
SELECT id, price FROM products ORDER BY price FETCH FIRST 3 ROWS WITH TIES;

-- name: lock_rows_for_update
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: LockRows, Index Scan
SELECT id, balance FROM accounts WHERE id BETWEEN 100 AND 120 FOR UPDATE;

-- name: lock_rows_join_skip_locked
-- modes: plan, plan_verbose, analyze
-- expect: LockRows
SELECT a.id, t.amount FROM accounts a JOIN transfers t ON t.account_id = a.id
WHERE a.id < 50 FOR NO KEY UPDATE OF a SKIP LOCKED;

-- Set operations ---------------------------------------------------------------------------------

-- name: hashsetop_intersect
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: SetOp, Append, Subquery Scan
-- expect_text: HashSetOp Intersect
SELECT customer_id FROM orders WHERE status = 'cancelled'
INTERSECT
SELECT id FROM customers WHERE country = 'DE';

-- name: setop_except_all_sorted
-- setup: SET enable_hashagg = off
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: SetOp, Sort, Append
-- expect_text: SetOp Except All
SELECT customer_id FROM orders WHERE id < 5000
EXCEPT ALL
SELECT id FROM customers WHERE country = 'DE';

-- name: setop_intersect_all_sorted
-- setup: SET enable_hashagg = off
-- modes: plan, costs_off, analyze
-- expect: SetOp, Sort
-- expect_text: SetOp Intersect All
SELECT country FROM customers WHERE id < 100
INTERSECT ALL
SELECT country FROM customers WHERE id BETWEEN 100 AND 130;

-- name: hashsetop_except
-- modes: plan, plan_verbose, analyze
-- expect: SetOp
-- expect_text: HashSetOp Except
SELECT product_id FROM inventory WHERE qty > 250 EXCEPT SELECT id FROM products WHERE discontinued;

-- name: append_union_all
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Append
SELECT id, 'customer' AS kind FROM customers WHERE id < 10
UNION ALL
SELECT id, 'product' FROM products WHERE id < 10
UNION ALL
SELECT id::int, 'order' FROM orders WHERE id < 10;

-- name: union_distinct
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Append
-- expect_text: HashAggregate
SELECT country FROM customers WHERE id < 1000 UNION SELECT 'XX';

-- name: merge_append
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Limit, Merge Append, Index Scan
SELECT customer_id, viewed_at FROM page_views ORDER BY customer_id, viewed_at LIMIT 20;

-- name: merge_append_union
-- modes: plan, plan_verbose, analyze
-- expect: Limit, Merge Append
SELECT id FROM customers UNION ALL SELECT id FROM products ORDER BY 1 LIMIT 10;

-- CTEs, subqueries, functions, values ------------------------------------------------------------

-- name: recursive_cte
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers, analyze_timing
-- expect: CTE Scan, Recursive Union, WorkTable Scan
WITH RECURSIVE subtree AS (
  SELECT id, parent_id, 1 AS depth FROM categories WHERE id = 3
  UNION ALL
  SELECT c.id, c.parent_id, s.depth + 1 FROM categories c JOIN subtree s ON c.parent_id = s.id
)
SELECT depth, count(*) FROM subtree GROUP BY depth ORDER BY depth;

-- name: cte_materialized
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, analyze_timing
-- expect: CTE Scan
-- expect_text: CTE big_spenders
WITH big_spenders AS MATERIALIZED (
  SELECT customer_id, count(*) AS n, sum(total) AS spent FROM orders GROUP BY customer_id
)
SELECT * FROM big_spenders WHERE n > 100 ORDER BY spent DESC;

-- name: cte_used_twice
-- modes: plan, plan_verbose, analyze
-- expect: CTE Scan
WITH per_country AS (SELECT country, count(*) AS n FROM customers GROUP BY country)
SELECT a.country, a.n, b.country FROM per_country a JOIN per_country b ON b.n = a.n AND b.country < a.country;

-- name: subquery_scan
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Subquery Scan, Limit
SELECT * FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id
               ORDER BY n DESC LIMIT 20) top WHERE top.customer_id % 2 = 0;

-- name: function_scan_generate_series
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Function Scan
-- expect_text: Function Scan on generate_series
SELECT g, g * 2 FROM generate_series(1, 1000) AS g WHERE g % 7 = 0;

-- name: function_scan_ordinality
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Function Scan
SELECT * FROM unnest(ARRAY['north', 'south', 'east']) WITH ORDINALITY AS u(warehouse, n);

-- name: function_scan_rows_from
-- modes: plan, plan_verbose, analyze_verbose
-- expect: Function Scan
SELECT * FROM ROWS FROM (generate_series(1, 3), unnest(ARRAY[10, 20])) WITH ORDINALITY AS r(a, b, n);

-- name: function_scan_plpgsql
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Aggregate, Function Scan
-- expect_text: customer_orders
SELECT count(*), max(total) FROM customer_orders(42);

-- name: table_function_xmltable
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Table Function Scan
SELECT x.* FROM XMLTABLE('/rows/row' PASSING
  ('<rows><row id="1"><name>a</name></row><row id="2"><name>b</name></row></rows>'::xml)
  COLUMNS id int PATH '@id', name text PATH 'name', ord FOR ORDINALITY) AS x;

-- name: values_scan_join
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Values Scan
SELECT v.label, c.name FROM (VALUES (1, 'one'), (2, 'two'), (3, 'three')) AS v(id, label)
JOIN customers c ON c.id = v.id;

-- name: result_no_table
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Result
SELECT 1 + 1 AS two, 'a' || 'b' AS ab, now() IS NOT NULL AS has_time;

-- name: result_one_time_filter_false
-- modes: plan, plan_verbose, costs_off, analyze
-- expect: Result
-- expect_text: One-Time Filter: false
SELECT * FROM customers WHERE false;

-- name: result_one_time_filter_stable
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Result
-- expect_text: One-Time Filter
SELECT id FROM customers WHERE id < 10 AND current_setting('TimeZone') = 'UTC';

-- name: project_set
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: ProjectSet
SELECT id, generate_series(1, 3) AS n, unnest(ARRAY['x', 'y']) AS tag FROM customers WHERE id < 5;

-- name: initplan
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers
-- expect: Aggregate, Seq Scan
-- expect_text: InitPlan 1
SELECT id, total FROM orders WHERE total > (SELECT avg(total) * 1.95 FROM orders);

-- name: subplan_correlated
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Aggregate
-- expect_text: SubPlan 1
SELECT c.id, (SELECT max(o.total) FROM orders o WHERE o.customer_id = c.id) AS best
FROM customers c WHERE c.id < 100;

-- name: subplan_hashed_not_in
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Seq Scan
-- expect_text: hashed SubPlan 1
SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM orders WHERE status = 'cancelled');

-- name: subplan_exists_in_select
-- modes: plan, plan_verbose, analyze
-- expect: Index Only Scan
-- expect_text: SubPlan
SELECT p.id, EXISTS (SELECT 1 FROM order_items oi WHERE oi.product_id = p.id AND oi.order_id < 100) AS sold
FROM products p WHERE p.id < 30;

-- name: create_table_as
-- modes: plan, analyze
-- expect: Seq Scan
CREATE TABLE scratch_ctas AS SELECT id, name FROM customers WHERE name LIKE '%77%';

-- Partitioning -----------------------------------------------------------------------------------

-- name: partition_prune_plan_time
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, buffers, plan_buffers
-- expect: Aggregate, Append, Seq Scan
SELECT count(*), sum(amount) FROM events WHERE created_on BETWEEN date '2023-03-10' AND date '2023-04-20';

-- name: partition_prune_initial
-- note: to_date() is stable, so pruning happens at executor start-up: "Subplans Removed".
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Aggregate, Append
-- expect_text: Subplans Removed
SELECT count(*) FROM events WHERE created_on >= to_date('2023-11-01', 'YYYY-MM-DD');

-- name: partition_prune_exec_time
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: Append
-- expect_text: never executed
SELECT id, kind FROM events
WHERE created_on = (SELECT max(created_on) FROM events_2023_02) AND amount < 5;

-- name: partition_prune_generic_plan
-- note: EXPLAIN EXECUTE of a generic plan: pruning with the parameter at executor start-up.
-- setup: DEALLOCATE ALL; PREPARE events_since(date) AS SELECT count(*) FROM events WHERE created_on >= $1
-- setup: SET plan_cache_mode = force_generic_plan
-- modes: plan, plan_verbose, analyze
-- expect: Aggregate, Append
-- expect_text: Subplans Removed
EXECUTE events_since('2023-12-01');

-- name: partition_hash_lookup
-- modes: plan, plan_verbose, analyze, buffers
-- expect: Bitmap Heap Scan
-- expect_text: page_views_p
SELECT * FROM page_views WHERE customer_id = 4242;

-- name: partitionwise_join
-- setup: SET enable_partitionwise_join = on; SET enable_nestloop = off
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Append, Hash Join
-- expect_text: carts_p3
SELECT pv.customer_id, ca.item_count, pv.url FROM page_views pv JOIN carts ca ON ca.customer_id = pv.customer_id
WHERE ca.item_count = 7;

-- name: partitionwise_aggregate
-- setup: SET enable_partitionwise_aggregate = on
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: Append, Aggregate
SELECT customer_id, count(*) FROM page_views GROUP BY customer_id HAVING count(*) > 9;

-- name: partitionwise_partial_aggregate
-- setup: SET enable_partitionwise_aggregate = on
-- modes: plan, plan_verbose, analyze
-- expect: Append, Aggregate
-- expect_text: Partial HashAggregate
SELECT kind, count(*) FROM events GROUP BY kind;

-- name: ordered_append
-- note: the range excludes the default partition, so the partitions are ordered: no Merge Append.
-- modes: plan, plan_verbose, costs_off, analyze
-- expect: Limit, Append, Index Scan
SELECT id, created_on FROM events WHERE created_on >= date '2023-06-01' AND created_on < date '2024-01-01'
ORDER BY created_on DESC LIMIT 5;

-- Parallel query ---------------------------------------------------------------------------------
-- Workers pick blocks dynamically, so per-worker figures (rows, sort memory, buffers) differ from
-- run to run. These entries run under ANALYZE only where the output has no per-worker figure.

-- name: parallel_seq_scan_aggregate
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_table_scan_size = 0
-- modes: plan, plan_verbose, costs_off, analyze
-- expect: Aggregate, Gather, Seq Scan
-- expect_text: Finalize Aggregate, Partial Aggregate, Parallel Seq Scan, Workers Planned: 2
SELECT count(*), avg(total) FROM orders WHERE note IS NULL;

-- name: parallel_gather_merge_group
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_table_scan_size = 0
-- setup: SET enable_hashagg = off
-- modes: plan, plan_verbose, costs_off
-- expect: Aggregate, Gather Merge, Sort, Seq Scan
-- expect_text: Finalize GroupAggregate, Partial GroupAggregate
-- setup: SET enable_indexscan = off
SELECT product_id, sum(qty) FROM order_items GROUP BY product_id ORDER BY product_id;

-- name: parallel_hash_aggregate
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_table_scan_size = 0
-- modes: plan, plan_verbose, costs_off
-- expect: Aggregate, Gather
-- expect_text: Finalize HashAggregate, Partial HashAggregate
SELECT product_id, count(*) FROM order_items GROUP BY product_id;

-- name: parallel_hash_join
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_table_scan_size = 0
-- setup: SET enable_mergejoin = off; SET enable_nestloop = off
-- modes: plan, plan_verbose, costs_off
-- expect: Gather, Hash Join, Hash
-- expect_text: Parallel Hash Join, Parallel Hash
SELECT o.status, oi.qty FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE oi.qty = 5;

-- name: parallel_index_only_scan
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_table_scan_size = 0
-- setup: SET min_parallel_index_scan_size = 0; SET enable_seqscan = off; SET enable_bitmapscan = off
-- modes: plan, plan_verbose, costs_off, analyze
-- expect: Aggregate, Gather, Index Only Scan
-- expect_text: Parallel Index Only Scan
SELECT count(*) FROM orders WHERE customer_id > 100;

-- name: parallel_index_scan
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_index_scan_size = 0; SET enable_seqscan = off; SET enable_bitmapscan = off
-- modes: plan, plan_verbose, costs_off, analyze
-- expect: Aggregate, Gather, Index Scan
-- expect_text: Parallel Index Scan
SELECT count(*), sum(qty) FROM order_items WHERE order_id BETWEEN 1000 AND 90000;

-- name: parallel_bitmap_heap_scan
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_table_scan_size = 0
-- setup: SET min_parallel_table_scan_size = 0; SET enable_seqscan = off; SET enable_indexscan = off
-- modes: plan, plan_verbose, costs_off
-- expect: Gather, Bitmap Heap Scan, Bitmap Index Scan
-- expect_text: Parallel Bitmap Heap Scan
SELECT count(*) FROM order_items WHERE product_id BETWEEN 10 AND 900;

-- name: parallel_append
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_table_scan_size = 0
-- note: no ANALYZE: which participant scans which partition (loops=) changes from run to run.
-- modes: plan, plan_verbose, costs_off
-- expect: Gather, Append, Seq Scan
-- expect_text: Parallel Append
SELECT count(*) FROM events WHERE amount > 990;

-- name: parallel_params_evaluated
-- note: the InitPlan runs in the leader and its value is passed to the workers.
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_table_scan_size = 0
-- modes: plan, plan_verbose, costs_off, analyze
-- expect: Aggregate, Gather, Seq Scan
-- expect_text: Params Evaluated, InitPlan 1
SELECT count(*) FROM orders WHERE total > (SELECT max(price) FROM products);

-- name: parallel_gather_merge_sort
-- setup: SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0
-- setup: SET min_parallel_table_scan_size = 0
-- modes: plan, plan_verbose, costs_off
-- expect: Limit, Gather Merge, Sort, Seq Scan
SELECT order_id, unit_price FROM order_items ORDER BY unit_price DESC, order_id LIMIT 50;

-- Data modification (each run is rolled back) ----------------------------------------------------

-- name: insert_values_triggers
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, analyze_timing
-- expect: ModifyTable, Values Scan
-- expect_text: Insert on accounts, Trigger accounts_before, Trigger accounts_after, RI_ConstraintTrigger_c
INSERT INTO accounts (id, customer_id, balance) VALUES (100001, 1, 10), (100002, 2, 9500), (100003, 3, 0);

-- name: insert_returning
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: ModifyTable, Result
-- expect_text: Insert on accounts
INSERT INTO accounts (id, customer_id, balance) VALUES (100004, 4, 9999) RETURNING id, version, flagged;

-- name: insert_select_partitioned
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: ModifyTable, Function Scan
-- expect_text: Insert on shipments
INSERT INTO shipments SELECT 100000 + g, g, date '2023-01-01' + g % 365, 'dhl', 500
FROM generate_series(1, 300) AS g;

-- name: update_triggers
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: ModifyTable, Bitmap Heap Scan
-- expect_text: Update on accounts, Trigger accounts_before: calls=
UPDATE accounts SET balance = balance + 1 WHERE customer_id BETWEEN 100 AND 400;

-- name: update_from_join
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: ModifyTable
-- expect_text: Update on accounts a
UPDATE accounts a SET balance = a.balance + t.amount FROM transfers t
WHERE t.account_id = a.id AND t.id <= 100;

-- name: update_partitioned
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: ModifyTable, Append
-- expect_text: Update on shipments_q1 shipments_1
UPDATE shipments SET carrier = upper(carrier) WHERE order_id BETWEEN 100 AND 160;

-- name: delete_cascade
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose, analyze_timing
-- expect: ModifyTable, Index Scan
-- expect_text: Delete on accounts, RI_ConstraintTrigger_a, Trigger accounts_after
DELETE FROM accounts WHERE id BETWEEN 501 AND 520;

-- name: delete_partitioned_returning
-- modes: plan, plan_verbose, analyze, analyze_verbose
-- expect: ModifyTable, Append
-- expect_text: Delete on shipments_q4 shipments_4
DELETE FROM shipments WHERE weight_g < 130 RETURNING id, shipped_on;

-- name: delete_using_subquery
-- modes: plan, plan_verbose, analyze
-- expect: ModifyTable
DELETE FROM transfers t USING accounts a WHERE a.id = t.account_id AND a.customer_id = 701;

-- name: insert_on_conflict_do_nothing
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: ModifyTable, Values Scan
-- expect_text: Conflict Resolution: NOTHING, Conflicting Tuples
INSERT INTO inventory (product_id, warehouse, qty) VALUES (1, 'north', 5), (1, 'west', 5), (2, 'south', 1)
ON CONFLICT DO NOTHING;

-- name: insert_on_conflict_do_update
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: ModifyTable
-- expect_text: Conflict Resolution: UPDATE, Conflict Arbiter Indexes, Conflict Filter, Rows Removed by Conflict Filter
INSERT INTO inventory AS i (product_id, warehouse, qty)
SELECT id, 'north', 10 FROM products WHERE id <= 60
ON CONFLICT (product_id, warehouse) DO UPDATE SET qty = i.qty + excluded.qty WHERE i.qty < 150;

-- name: rule_two_plans
-- note: the DO ALSO rule adds a second statement: TEXT separates the plans with an empty line.
-- modes: plan, plan_verbose, costs_off, analyze
-- expect: ModifyTable, Result
-- expect_text: Insert on notes, Insert on notes_log
INSERT INTO notes VALUES (1, 'first');

-- name: merge
-- note: the target is a copy made inside the transaction: MERGE inserts into the table it scans.
-- setup: CREATE TABLE merge_prices AS SELECT * FROM price_list; ALTER TABLE merge_prices ADD PRIMARY KEY (product_id)
-- setup: ANALYZE merge_prices
-- modes: plan, plan_verbose, costs_off, analyze, analyze_verbose
-- expect: ModifyTable, Hash Join
-- expect_text: Merge on merge_prices, Tuples: inserted=, updated=
MERGE INTO merge_prices t USING products p ON t.product_id = p.id
WHEN MATCHED AND p.discontinued THEN DELETE
WHEN MATCHED AND p.id % 4 = 1 THEN UPDATE SET price = p.price * 1.1, valid_from = date '2024-01-01'
WHEN NOT MATCHED THEN INSERT VALUES (p.id, p.price, date '2024-01-01');

-- name: wal_insert
-- note: a table made inside the transaction: no full-page images, the same WAL every run.
-- setup: CREATE TABLE wal_scratch (id int PRIMARY KEY, v text)
-- modes: plan, wal
-- expect: ModifyTable, Function Scan
-- expect_text: WAL: records=
INSERT INTO wal_scratch SELECT g, md5(g::text) FROM generate_series(1, 500) AS g;

-- name: wal_update
-- setup: CREATE TABLE wal_scratch (id int PRIMARY KEY, v text)
-- setup: INSERT INTO wal_scratch SELECT g, md5(g::text) FROM generate_series(1, 2000) AS g
-- modes: plan, wal
-- expect: ModifyTable
-- expect_text: WAL: records=
UPDATE wal_scratch SET v = upper(v) WHERE id % 4 = 0;

-- name: wal_delete_fpi
-- note: each run follows a CHECKPOINT, so the first change to each page logs a full-page image.
-- modes: plan, wal
-- expect: ModifyTable, Index Scan
-- expect_text: fpi=
DELETE FROM transfers WHERE id <= 300;

-- Settings, temporary tables, JIT ----------------------------------------------------------------

-- name: settings_planner_gucs
-- setup: SET enable_seqscan = off; SET work_mem = '16MB'; SET random_page_cost = 1.1
-- modes: settings, plan_verbose
-- expect: Bitmap Heap Scan
-- expect_text: Settings:, random_page_cost = '1.1'
SELECT id, name FROM customers WHERE country = 'FR' AND segment = 'smb';

-- name: query_identifier
-- setup: SET compute_query_id = on
-- modes: plan_verbose, analyze_verbose
-- expect: Index Scan
-- expect_text: Query Identifier:
SELECT name FROM customers WHERE id = 42;

-- name: settings_search_path
-- setup: SET search_path = public, pg_catalog; SET enable_hashjoin = off; SET geqo_threshold = 4
-- modes: settings
-- expect: Aggregate, Nested Loop
-- expect_text: search_path
SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id < 300;

-- name: temp_table_local_buffers
-- setup: CREATE TEMP TABLE tmp_customers AS SELECT * FROM customers WHERE id <= 5000
-- modes: plan, analyze, buffers, plan_buffers
-- expect: Aggregate, Seq Scan
-- expect_text: local hit=
SELECT country, count(*) FROM tmp_customers GROUP BY country;

-- name: jit_plan
-- note: JIT compiled with low thresholds; without ANALYZE or with TIMING OFF no JIT time is printed.
-- setup: SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = -1; SET jit_optimize_above_cost = -1
-- modes: plan, analyze
-- expect: Aggregate, Seq Scan
-- expect_text: JIT:, Functions:
SELECT status, sum(total), count(*) FROM orders WHERE customer_id > 10 GROUP BY status;
