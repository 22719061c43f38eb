-- expect: sort_spill
-- effect: no_spill
-- query: select id, customer_id, status, total, shipping_address, created_at from orders where created_at >= '2024-01-01' order by customer_id, created_at
-- A nightly export of this year's orders sorted by customer: about 200,000 wide rows, far more
-- than the default work_mem (4MB) holds, so the sort goes to disk.
create table orders (
  id bigint primary key,
  customer_id int not null,
  status text not null,
  total numeric(10, 2) not null,
  shipping_address text not null,
  created_at timestamptz not null
);
insert into orders
select g,
       1 + (g::bigint * 7919) % 60000,
       (array['paid', 'paid', 'shipped', 'refunded'])[1 + g % 4],
       ((g * 37) % 50000) / 100.0,
       (g % 997) || ' ' || (array['Main', 'Oak', 'Pine', 'Maple', 'Cedar', 'Elm'])[1 + g % 6]
         || ' Street, ' || (array['Springfield', 'Riverside', 'Franklin', 'Greenville'])[1 + g % 4]
         || ', ' || lpad(((g * 13) % 99999)::text, 5, '0'),
       timestamptz '2023-01-01 00:00+00' + g * interval '158 seconds'
  from generate_series(1, 400000) g;
create index orders_created_at_idx on orders (created_at);
vacuum analyze orders;
