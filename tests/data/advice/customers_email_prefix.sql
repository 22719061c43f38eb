-- expect: like_prefix_index
-- effect: faster10x
-- query: select id, full_name, email from customers where email like 'sofia.lee1234%'
-- Support's search box: e-mail by prefix. customers has a B-tree on email, but the database
-- collates text as C.UTF-8 (not C), under which a plain B-tree cannot serve LIKE 'abc%';
-- text_pattern_ops can.
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
       timestamptz '2021-01-01 00:00+00' + (g * interval '5 minutes')
  from generate_series(1, 300000) g
  cross join lateral (select (array['James', 'Mary', 'Olivia', 'Liam', 'Noah', 'Emma', 'Ava',
                                    'Lucas', 'Mia', 'Ethan', 'Sofia', 'Mateo'])[1 + g % 12] as name) f
  cross join lateral (select (array['Smith', 'Jones', 'Walker', 'Brown', 'Garcia', 'Miller',
                                    'Davis', 'Lopez', 'Wilson', 'Moore', 'Taylor', 'Lee',
                                    'Martin', 'Clark', 'Lewis'])[1 + (g / 12) % 15] as name) l;
create index customers_email_idx on customers (email);
vacuum analyze customers;
