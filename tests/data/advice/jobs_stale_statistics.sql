-- expect: stale_statistics
-- effect: estimate3x
-- query: select count(*) from jobs where state = 'queued'
-- A job queue whose statistics predate a burst: jobs was analysed with 20,000 finished jobs,
-- then 300,000 queued jobs arrived; autovacuum is off for the table, so ANALYZE never ran again
-- and the planner still believes no job is queued.
create table jobs (
  id bigint primary key,
  queue text not null,
  state text not null,
  attempts int not null,
  enqueued_at timestamptz not null
) with (autovacuum_enabled = off);
insert into jobs
select g, (array['mail', 'billing', 'webhooks', 'reports'])[1 + g % 4],
       case when g % 50 = 0 then 'failed' else 'done' end,
       1 + g % 3,
       timestamptz '2024-05-01 00:00+00' + g * interval '2 seconds'
  from generate_series(1, 20000) g;
vacuum analyze jobs;
insert into jobs
select g, (array['mail', 'billing', 'webhooks', 'reports'])[1 + g % 4], 'queued', 0,
       timestamptz '2024-05-01 00:00+00' + g * interval '2 seconds'
  from generate_series(20001, 320000) g;
