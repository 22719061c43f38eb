-- The render benchmark's large plan (run_analyzer_bench.sh, run_web_bench.sh): two tables with
-- 400 hash partitions each; with enable_partitionwise_join = on and
-- max_parallel_workers_per_gather = 0, EXPLAIN (ANALYZE, BUFFERS, VERBOSE) of
--   select * from pa join pb using (id) where v + w > 10
-- has 1,601 nodes (~1.8 MB of JSON).
create table pa (id int, v int) partition by hash (id);
create table pb (id int, w int) partition by hash (id);
select format('create table pa_%s partition of pa for values with (modulus 400, remainder %s)', g, g)
  from generate_series(0, 399) g \gexec
select format('create table pb_%s partition of pb for values with (modulus 400, remainder %s)', g, g)
  from generate_series(0, 399) g \gexec
insert into pa select g, g % 97 from generate_series(1, 200000) g;
insert into pb select g, g % 89 from generate_series(1, 200000) g;
