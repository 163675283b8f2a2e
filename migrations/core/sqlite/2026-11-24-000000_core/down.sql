DROP INDEX audit_events_realm_id;
DROP TABLE audit_events;
DROP TABLE resource_counts;
