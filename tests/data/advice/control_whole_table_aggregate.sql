-- expect: none
-- effect: no_high_tip
-- query: select count(*), sum(amount), avg(amount) from payments
-- Control: an aggregate over the whole table has to read all of it; no index or setting makes a
-- full count cheaper.
create table payments (
  id bigint primary key,
  order_id bigint not null,
  method text not null,
  amount numeric(10, 2) not null,
  paid_at timestamptz not null
);
insert into payments
select g, g * 2, (array['card', 'card', 'card', 'paypal', 'bank_transfer'])[1 + g % 5],
       ((g * 37) % 50000) / 100.0,
       timestamptz '2023-01-01 00:00+00' + g * interval '101 seconds'
  from generate_series(1, 300000) g;
vacuum analyze payments;
