-- expect: index_filter
-- effect: faster10x
-- query: select id, subject, opened_at from tickets where status = 'pending' and customer_id = 4321
-- A customer's pending tickets. The only secondary index is on status, which is far less
-- selective than customer_id (25,000 pending tickets, 13 of them this customer's): PostgreSQL
-- fetches every pending ticket and filters on customer_id.
create table tickets (
  id bigint primary key,
  customer_id int not null,
  status text not null,
  priority smallint not null,
  subject text not null,
  opened_at timestamptz not null
);
insert into tickets
select g,
       1 + (g::bigint * 7919) % 40000,
       case when g % 20 = 0 then 'pending'
            when g % 20 < 4 then 'open'
            else 'closed' end,
       1 + g % 4,
       'Ticket about ' || (array['billing', 'login', 'shipping', 'refund', 'api', 'export'])[1 + g % 6]
         || ' #' || g,
       timestamptz '2023-01-01 00:00+00' + g * interval '113 seconds'
  from generate_series(1, 500000) g;
create index tickets_status_idx on tickets (status);
vacuum analyze tickets;
