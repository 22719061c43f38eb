-- expect: none
-- effect: no_high_tip
-- query: select id, account_id, kind, occurred_at from events where occurred_at >= '2024-03-01 10:00' and occurred_at < '2024-03-01 11:00'
-- Control: an hour of events through the index on occurred_at; already the right plan.
create table events (
  id bigint primary key,
  account_id int not null,
  kind text not null,
  payload text,
  occurred_at timestamptz not null
);
insert into events
select g, 1 + (g::bigint * 7919) % 20000,
       (array['login', 'page_view', 'page_view', 'page_view', 'purchase', 'logout'])[1 + g % 6],
       '{"v": ' || g || '}',
       timestamptz '2024-01-01 00:00+00' + g * interval '31 seconds'
  from generate_series(1, 400000) g;
create index events_occurred_at_idx on events (occurred_at);
vacuum analyze events;
