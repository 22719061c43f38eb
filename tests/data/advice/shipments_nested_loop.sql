-- expect: nested_loop_many_loops
-- effect: faster10x
-- query: select s.id, s.carrier, x.reason, x.reported_at from shipments s cross join lateral (select e.reason, e.reported_at from delivery_exceptions e where e.shipment_id = s.id order by e.reported_at desc limit 1) x where s.status = 'in_transit'
-- The latest delivery exception of every shipment in transit: a LATERAL subquery, so a Nested
-- Loop that runs it once per shipment (2,000 of them), and delivery_exceptions has no index on
-- shipment_id: every loop scans it whole.
create table shipments (
  id bigint primary key,
  order_id bigint not null,
  carrier text not null,
  status text not null,
  shipped_at timestamptz not null
);
insert into shipments
select g, g * 3, (array['UPS', 'DHL', 'FedEx', 'USPS'])[1 + g % 4],
       case when g > 298000 then 'in_transit' when g % 40 = 0 then 'returned' else 'delivered' end,
       timestamptz '2022-01-01 00:00+00' + g * interval '250 seconds'
  from generate_series(1, 300000) g;
create index shipments_status_idx on shipments (status);
create table delivery_exceptions (
  id bigint primary key,
  shipment_id bigint not null,
  reason text not null,
  reported_at timestamptz not null
);
-- Half of the exceptions concern shipments in transit.
insert into delivery_exceptions
select g,
       case when g % 2 = 0 then 298001 + (g::bigint * 7919) % 2000
            else 1 + (g::bigint * 7919) % 298000 end,
       (array['address not found', 'recipient absent', 'damaged', 'customs hold'])[1 + g % 4],
       timestamptz '2022-01-02 00:00+00' + g * interval '1 hour'
  from generate_series(1, 6000) g;
vacuum analyze shipments, delivery_exceptions;
