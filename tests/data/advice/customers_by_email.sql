-- expect: seq_scan_filter
-- effect: faster10x
-- query: select id, full_name, created_at from customers where email = 'emma.martin104729@example.net'
-- Sign-in looks a customer up by e-mail; the table has only its primary key.
create table customers (
  id bigint primary key,
  full_name text not null,
  email text not null,
  country text not null,
  created_at timestamptz not null
);
insert into customers
select g,
       f.name || ' ' || l.name,
       lower(f.name) || '.' || lower(l.name) || g || '@' ||
         (array['example.com', 'example.net', 'example.org', 'mail.test'])[1 + g % 4],
       (array['US', 'US', 'US', 'GB', 'DE', 'FR', 'CA', 'BR', 'IN', 'JP'])[1 + (g * 7) % 10],
       timestamptz '2021-01-01 00:00+00' + (g * interval '5 minutes')
  from generate_series(1, 300000) g
  cross join lateral (select (array['James', 'Mary', 'Olivia', 'Liam', 'Noah', 'Emma', 'Ava',
                                    'Lucas', 'Mia', 'Ethan', 'Sofia', 'Mateo'])[1 + g % 12] as name) f
  cross join lateral (select (array['Smith', 'Jones', 'Walker', 'Brown', 'Garcia', 'Miller',
                                    'Davis', 'Lopez', 'Wilson', 'Moore', 'Taylor', 'Lee',
                                    'Martin', 'Clark', 'Lewis'])[1 + (g / 12) % 15] as name) l;
vacuum analyze customers;
