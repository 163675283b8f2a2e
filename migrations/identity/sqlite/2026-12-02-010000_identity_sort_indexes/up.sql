-- Every sortable Axual property is indexed as (realm_id, column, id), so a page in any sort
-- order (the primary key breaks ties) is read from an index. Nullable columns sort NULLs first
-- ascending on both backends; PostgreSQL's indexes say so, so one index serves both directions.
DROP INDEX users_realm_first_name;
DROP INDEX users_realm_last_name;
CREATE INDEX users_realm_first_name ON users (realm_id, first_name, id);
CREATE INDEX users_realm_last_name ON users (realm_id, last_name, id);
CREATE INDEX users_realm_middle_name ON users (realm_id, middle_name, id);
CREATE INDEX users_realm_email ON users (realm_id, email, id);
CREATE INDEX users_realm_phone_number ON users (realm_id, phone_number, id);
CREATE INDEX users_realm_id ON users (realm_id, id);
CREATE INDEX users_realm_modified ON users (realm_id, modified_at, id);
-- E-mail addresses are unique per realm ignoring case, and looked up that way.
CREATE UNIQUE INDEX users_realm_email_lower ON users (realm_id, lower(email));
DROP INDEX users_email;
CREATE INDEX users_email_lower ON users (lower(email));

CREATE INDEX groups_realm_name ON user_groups (realm_id, name, id);
CREATE INDEX groups_realm_email ON user_groups (realm_id, email, id);
CREATE INDEX groups_realm_phone_number ON user_groups (realm_id, phone_number, id);
CREATE INDEX groups_realm_id ON user_groups (realm_id, id);
CREATE INDEX groups_realm_modified ON user_groups (realm_id, modified_at, id);

DROP INDEX realms_display_name;
CREATE INDEX realms_display_name ON realms (display_name, id);
CREATE INDEX realms_name ON realms (name, id);
CREATE INDEX realms_retention_time ON realms (retention_time, id);
CREATE INDEX realms_partitions ON realms (partitions, id);
CREATE INDEX realms_modified ON realms (modified_at, id);

-- The number of tenant realms, kept under the platform key (the nil UUID).
INSERT INTO resource_counts (realm_id, resource, n)
SELECT '00000000-0000-0000-0000-000000000000', 'tenants', COUNT(*) FROM realms WHERE name <> 'master';
