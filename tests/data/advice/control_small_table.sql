-- expect: none
-- effect: no_high_tip
-- query: select code, name, currency from countries where region = 'Europe'
-- Control: a sequential scan of a 250-row lookup table is the best plan there is; an index would
-- not pay for itself.
create table countries (
  code text primary key,
  name text not null,
  region text not null,
  currency text not null
);
insert into countries
select chr(65 + g / 26) || chr(65 + g % 26),
       'Country ' || g,
       (array['Europe', 'Asia', 'Africa', 'Americas', 'Oceania'])[1 + g % 5],
       (array['EUR', 'USD', 'GBP', 'JPY', 'INR', 'BRL'])[1 + g % 6]
  from generate_series(0, 249) g;
vacuum analyze countries;
