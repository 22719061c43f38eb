-- expect: row_misfire
-- effect: estimate3x
-- query: select count(*) from customers where city = 'Riverside' and zip = '92507'
-- City and ZIP code: the ZIP code determines the city, but the planner multiplies the two
-- selectivities as if they were independent and expects 50× fewer rows than there are.
create table customers (
  id bigint primary key,
  full_name text not null,
  city text not null,
  zip text not null,
  created_at timestamptz not null
);
-- 50 cities with 5 ZIP codes each (city i has ZIP codes 92500 + 5i .. 92504 + 5i).
insert into customers
select g, 'Customer ' || g,
       (array['Springfield', 'Riverside', 'Franklin', 'Greenville', 'Bristol', 'Clinton',
              'Fairview', 'Salem', 'Madison', 'Georgetown', 'Arlington', 'Ashland', 'Dover',
              'Oxford', 'Jackson', 'Burlington', 'Manchester', 'Milton', 'Newport', 'Auburn',
              'Dayton', 'Lexington', 'Milford', 'Winchester', 'Hudson', 'Kingston', 'Mount Vernon',
              'Centerville', 'Clayton', 'Marion', 'Lebanon', 'Chester', 'Hamilton', 'Troy',
              'Glendale', 'Cleveland', 'Oakland', 'Florence', 'Camden', 'Lancaster', 'Canton',
              'Monroe', 'Warren', 'Ashford', 'Bedford', 'Cambridge', 'Concord', 'Dublin',
              'Hanover', 'Jamestown'])[1 + (g % 250) / 5],
       (92500 + g % 250)::text,
       timestamptz '2020-01-01 00:00+00' + g * interval '7 minutes'
  from generate_series(1, 400000) g;
create index customers_zip_idx on customers (zip);
vacuum analyze customers;
