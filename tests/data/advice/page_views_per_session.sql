-- expect: hashagg_spill
-- effect: no_spill
-- query: select session_id, count(*), min(viewed_at), max(viewed_at) from page_views group by session_id
-- Per-session statistics over a day of page views: 120,000 sessions, one hash table entry each,
-- more than the default work_mem (4MB) × hash_mem_multiplier holds.
create table page_views (
  id bigint primary key,
  session_id bigint not null,
  path text not null,
  viewed_at timestamptz not null
);
insert into page_views
select g,
       1000000 + (g::bigint * 7919) % 120000,
       (array['/', '/pricing', '/docs', '/blog', '/signup', '/login'])[1 + g % 6],
       timestamptz '2024-05-01 00:00+00' + g * interval '173 milliseconds'
  from generate_series(1, 500000) g;
vacuum analyze page_views;
