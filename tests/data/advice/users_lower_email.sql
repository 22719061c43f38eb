-- expect: seq_scan_filter
-- effect: faster10x
-- query: select id, display_name from users where lower(email) = 'emma.jones77777@example.net'
-- Case-insensitive login (e-mails are stored as typed): users has a B-tree on email, which lower(email) cannot use; an index
-- on the expression can.
create table users (
  id bigint primary key,
  display_name text not null,
  email text not null,
  last_login_at timestamptz
);
insert into users
select g,
       f.name || ' ' || l.name,
       f.name || '.' || l.name || g || '@' ||
         (array['Example.com', 'example.net', 'EXAMPLE.org', 'mail.test'])[1 + g % 4],
       timestamptz '2024-01-01 00:00+00' + (g * interval '67 seconds')
  from generate_series(1, 300000) g
  cross join lateral (select (array['James', 'Mary', 'Olivia', 'Liam', 'Noah', 'Emma', 'Ava',
                                    'Lucas', 'Mia', 'Ethan', 'Sofia', 'Mateo'])[1 + g % 12] as name) f
  cross join lateral (select (array['Smith', 'Jones', 'Walker', 'Brown', 'Garcia', 'Miller',
                                    'Davis', 'Lopez', 'Wilson', 'Moore', 'Taylor', 'Lee',
                                    'Martin', 'Clark', 'Lewis'])[1 + (g / 12) % 15] as name) l;
create unique index users_email_key on users (email);
vacuum analyze users;
