-- expect: join_key_index
-- effect: faster10x
-- query: select o.id, o.total, o.created_at from customers c join orders o on o.customer_id = c.id where c.email = 'mary.smith40321@example.net'
-- One customer's orders: the customer is found through its e-mail index, but orders has no index
-- on customer_id, so the join reads all 500,000 orders.
create table customers (
  id bigint primary key,
  full_name text not null,
  email text not null,
  created_at timestamptz not null
);
insert into customers
select g,
       f.name || ' ' || l.name,
       lower(f.name) || '.' || lower(l.name) || g || '@' ||
         (array['example.com', 'example.net', 'example.org', 'mail.test'])[1 + g % 4],
       timestamptz '2021-01-01 00:00+00' + (g * interval '11 minutes')
  from generate_series(1, 100000) g
  cross join lateral (select (array['James', 'Mary', 'Olivia', 'Liam', 'Noah', 'Emma', 'Ava',
                                    'Lucas', 'Mia', 'Ethan', 'Sofia', 'Mateo'])[1 + g % 12] as name) f
  cross join lateral (select (array['Smith', 'Jones', 'Walker', 'Brown', 'Garcia', 'Miller',
                                    'Davis', 'Lopez', 'Wilson', 'Moore', 'Taylor', 'Lee',
                                    'Martin', 'Clark', 'Lewis'])[1 + (g / 12) % 15] as name) l;
create unique index customers_email_key on customers (email);
create table orders (
  id bigint primary key,
  customer_id bigint not null,
  status text not null,
  total numeric(10, 2) not null,
  created_at timestamptz not null
);
insert into orders
select g, 1 + (g::bigint * 7919) % 100000,
       (array['paid', 'paid', 'shipped', 'refunded'])[1 + g % 4],
       ((g * 37) % 50000) / 100.0,
       timestamptz '2022-01-01 00:00+00' + g * interval '61 seconds'
  from generate_series(1, 500000) g;
vacuum analyze customers, orders;
