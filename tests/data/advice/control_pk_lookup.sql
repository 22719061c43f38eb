-- expect: none
-- effect: no_high_tip
-- query: select id, customer_id, status, total, created_at from orders where id = 123457
-- Control: an order by its primary key, one index lookup. Nothing to advise.
create table orders (
  id bigint primary key,
  customer_id int not null,
  status text not null,
  total numeric(10, 2) not null,
  created_at timestamptz not null
);
insert into orders
select g, 1 + (g::bigint * 7919) % 60000,
       (array['paid', 'paid', 'shipped', 'refunded'])[1 + g % 4],
       ((g * 37) % 50000) / 100.0,
       timestamptz '2023-01-01 00:00+00' + g * interval '158 seconds'
  from generate_series(1, 300000) g;
vacuum analyze orders;
