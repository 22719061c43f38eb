-- expect: order_by_limit_index
-- effect: faster10x
-- query: select id, status, total, created_at from orders where account_id = 7 order by created_at desc limit 20
-- An account's latest orders. orders has an index on account_id alone; a few large accounts
-- (account 7 has 25,000 orders) make "fetch all of the account's orders, then sort" slow.
create table accounts (
  id int primary key,
  name text not null,
  plan text not null
);
insert into accounts
select g, 'Account ' || g, (array['free', 'team', 'business'])[1 + g % 3]
  from generate_series(1, 20000) g;
create table orders (
  id bigint primary key,
  account_id int not null,
  status text not null,
  total numeric(10, 2) not null,
  note text,
  created_at timestamptz not null
);
-- Skew: every 4th order belongs to one of four large accounts (7, 14, 21, 28: 25,000 orders
-- each); the rest are spread over all 20,000 accounts.
insert into orders
select g,
       case when g % 4 = 0 then 7 * (1 + (g / 4) % 4) else 1 + (g::bigint * 7919) % 20000 end,
       (array['paid', 'paid', 'paid', 'shipped', 'shipped', 'refunded', 'cancelled'])[1 + g % 7],
       ((g * 37) % 50000) / 100.0,
       'order note ' || md5(g::text),
       timestamptz '2022-01-01 00:00+00' + g * interval '97 seconds'
  from generate_series(1, 400000) g;
alter table orders add foreign key (account_id) references accounts;
create index orders_account_id_idx on orders (account_id);
vacuum analyze accounts, orders;
