DROP TABLE flow_status_events;
DROP TABLE flow_revisions;
DROP TABLE flows;
